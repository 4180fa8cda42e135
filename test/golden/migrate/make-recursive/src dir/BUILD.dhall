{- Targets of src dir: app (Executable).
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

let app_flags =
      [ C.Arg.Flag (C.Flag.optLevel C.OptLevel.O1)
      , C.Arg.Define { name = "FROM_RSP", value = Some "1" }
      , C.Arg.Lit "-I."
      , C.Arg.Lit "-c"
      , C.Arg.Lit "src dir/main.c"
      , C.Arg.Lit "-o"
      , C.Arg.Object
      ]

let env =
      toMap { LANG = "C.UTF-8" }

let app =
      { name = "app"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "main.c"
            , object = "out dir/main.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Out "version.h" ]
            , args = app_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "-o"
                , C.Arg.Lit "app"
                , C.Arg.Objects
                , C.Arg.Lit "-Llib"
                , C.Arg.Lit "-lgreet"
                ]
            , inputs = [ C.Path.Out "lib/libgreet.a" ]
            , outputs = [ C.Path.Out "app" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ app ] : List C.Target
