{- Targets of cmake: value_h (CustomCommand).
   Written by `continuity migrate`; edit freely. Src paths are relative to this directory,
   Out paths to the build tree. Types: ../continuity/package.dhall
-}
let C = ../continuity/package.dhall

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

let value_h =
      { name = "value_h"
      , kind = C.TargetKind.CustomCommand
      , sources = [] : List C.Compile
      , steps =
          [ { kind = C.StepKind.custom
            , tool = sh
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "-c"
                , C.Arg.Parts
                    [ C.Part.Lit "cd "
                    , C.Part.Path (C.Path.Out "")
                    , C.Part.Lit " && /usr/bin/cmake -DOUT="
                    , C.Part.Path (C.Path.Out "generated/value.h")
                    , C.Part.Lit " -DVALUE=42 -P "
                    , C.Part.Path (C.Path.Src "write_header.cmake")
                    ]
                ]
            , inputs = [ C.Path.Src "write_header.cmake" ]
            , outputs = [ C.Path.Out "generated/value.h" ]
            , post = [] : List (List C.Arg)
            , rule = Some "CUSTOM_COMMAND"
            }
          ]
      }

in  [ value_h ] : List C.Target
