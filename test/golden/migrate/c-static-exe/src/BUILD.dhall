{- Targets of src: greet (StaticLibrary).
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
      [ C.Arg.Include (C.Path.Src "../include")
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

let greet =
      { name = "greet"
      , kind = C.TargetKind.StaticLibrary
      , sources =
          [ { source = C.Path.Src "greet.c"
            , object = "CMakeFiles/greet.dir/src/greet.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Src "../include/greet/greet.h" ]
            , args = greet_flags
            }
          , { source = C.Path.Src "count.c"
            , object = "CMakeFiles/greet.dir/src/count.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Src "../include/greet/greet.h" ]
            , args = greet_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.archive
            , tool = ar
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "qc", C.Arg.Lit "libgreet.a", C.Arg.Objects ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "libgreet.a" ]
            , post =
                [ [ C.Arg.Lit "ranlib", C.Arg.Lit "libgreet.a" ] ]
            , rule = None Text
            }
          ]
      }

in  [ greet ] : List C.Target
