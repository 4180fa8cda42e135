{- Targets of the source root: app_copy (CustomCommand), version_h (CustomCommand).
   Written by `continuity migrate`; edit freely. Src paths are relative to this directory,
   Out paths to the build tree. Types: ./continuity/package.dhall
-}
let C = ./continuity/package.dhall

let x86_64_unknown_linux_gnu =
      { arch = C.Arch.x86_64
      , vendor = C.Vendor.unknown
      , os = C.OS.linux
      , abi = C.ABI.gnu
      , cpu = C.Cpu.generic
      , gpu = C.Gpu.none
      }

let sh =
      { name = "sh"
      , toolchain =
          { compiler = "/bin/sh"
          , host = x86_64_unknown_linux_gnu
          , target = x86_64_unknown_linux_gnu
          , flags = [] : List C.Flag
          , sysroot = None Text
          }
      }

let env =
      [] : C.Env

let app_copy =
      { name = "app_copy"
      , kind = C.TargetKind.CustomCommand
      , sources = [] : List C.Compile
      , steps =
          [ { kind = C.StepKind.custom
            , tool = sh
            , cwd = C.Path.Out ""
            , env = env
            , args = [ C.Arg.Lit "-c", C.Arg.Lit "cp app app.copy" ]
            , inputs = [ C.Path.Out "app" ]
            , outputs = [ C.Path.Out "app.copy" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

let version_h =
      { name = "version_h"
      , kind = C.TargetKind.CustomCommand
      , sources = [] : List C.Compile
      , steps =
          [ { kind = C.StepKind.custom
            , tool = sh
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "-c"
                , C.Arg.Lit "sed 's/@VERSION@/1.2.3/' version.in > version.h"
                ]
            , inputs = [ C.Path.Src "version.in" ]
            , outputs = [ C.Path.Out "version.h" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ app_copy, version_h ] : List C.Target
