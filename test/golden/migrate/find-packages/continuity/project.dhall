{- The project: where its sources are (relative to this file's parent directory), where the build
   writes, and what the build requires of its environment (the confession's find_package log and
   coeffects).
   Written by `continuity migrate`.
-}
let C = ./package.dhall

in    { sourceRoot = "."
      , buildTree = C.BuildTree.Separate
      , requirements =
          [ { package = "ZLIB"
            , version = None Text
            , components = [] : List Text
            , required = True
            , resolution = C.Resolution.found
            , root = None Text
            }
          , { package = "Threads"
            , version = None Text
            , components = [] : List Text
            , required = True
            , resolution = C.Resolution.found
            , root = None Text
            }
          , { package = "Boost"
            , version = Some "1.70"
            , components = [ "filesystem", "system" ]
            , required = False
            , resolution = C.Resolution.faked
            , root = Some "../confess/fake/Boost"
            }
          ]
      , coeffects =
          [ C.Coeffect.filesystem "/usr/include"
          , C.Coeffect.filesystem "/usr/lib/x86_64-linux-gnu/libz.so"
          , C.Coeffect.filesystem "../confess/fake/Boost"
          ]
      }
    : C.Project
