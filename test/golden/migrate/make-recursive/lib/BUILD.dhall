{- Targets of lib: greet (StaticLibrary).
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

let ar =
      { name = "ar"
      , toolchain =
          { compiler = "/usr/bin/ar"
          , host = x86_64_unknown_linux_gnu
          , target = x86_64_unknown_linux_gnu
          , flags = [] : List C.Flag
          , sysroot = None Text
          }
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

let greet_flags =
      [ C.Arg.Lit "-c"
      , C.Arg.Lit "greet.c"
      , C.Arg.Lit "-o"
      , C.Arg.Lit "greet.o"
      ]

let env =
      toMap { LANG = "C.UTF-8" }

let greet =
      { name = "greet"
      , kind = C.TargetKind.StaticLibrary
      , sources =
          [ { source = C.Path.Src "greet.c"
            , object = "lib/greet.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Src ""
            , env = env
            , headers = [] : List C.Path
            , args = greet_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.archive
            , tool = ar
            , cwd = C.Path.Src ""
            , env = env
            , args =
                [ C.Arg.Lit "rcs", C.Arg.Lit "libgreet.a", C.Arg.Lit "greet.o" ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "lib/libgreet.a" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ greet ] : List C.Target
