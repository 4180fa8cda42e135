{- The project: where its sources are (relative to this file's parent directory), where the build
   writes, and what the build requires of its environment (the confession's find_package log and
   coeffects).
   Written by `continuity migrate`.
-}
let C = ./package.dhall

in    { sourceRoot = "."
      , buildTree = C.BuildTree.InSource
      , requirements = [] : List C.Requirement
      , coeffects = [] : List C.Coeffect
      }
    : C.Project
