{- Targets of src: show_value (Executable).
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

let cc =
      { name = "cc"
      , toolchain =
          { compiler = "/usr/bin/cc"
          , host = x86_64_unknown_linux_gnu
          , target = x86_64_unknown_linux_gnu
          , flags = [] : List C.Flag
          , sysroot = None Text
          }
      }

let show_value_flags =
      [ C.Arg.Include (C.Path.Out "generated")
      , C.Arg.Lit "-MD"
      , C.Arg.Lit "-MT"
      , C.Arg.Object
      , C.Arg.Lit "-MF"
      , C.Arg.ObjectWith ".d"
      , C.Arg.Lit "-o"
      , C.Arg.Object
      , C.Arg.Lit "-c"
      , C.Arg.Source
      ]

let env =
      toMap { LANG = "C.UTF-8" }

let show_value =
      { name = "show_value"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "main.c"
            , object = "CMakeFiles/show_value.dir/src/main.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Out "generated/value.h" ]
            , args = show_value_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Objects, C.Arg.Lit "-o", C.Arg.Lit "show_value" ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "show_value" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ show_value ] : List C.Target
