{- Targets of src: flags (Executable).
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

let compile_tail =
      [ C.Arg.Lit "-MD"
      , C.Arg.Lit "-MT"
      , C.Arg.Object
      , C.Arg.Lit "-MF"
      , C.Arg.ObjectWith ".d"
      , C.Arg.Lit "-o"
      , C.Arg.Object
      , C.Arg.Lit "-c"
      , C.Arg.Source
      ]

let flags_flags =
      [ C.Arg.Define { name = "GLOBAL_MODE", value = Some "7" } ]

let env =
      toMap { LANG = "C.UTF-8" }

let flags =
      { name = "flags"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "main.c"
            , object = "CMakeFiles/flags.dir/src/main.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Src "with space/thing.h" ]
            , args =
                  flags_flags
                # [ C.Arg.Include (C.Path.Src "with space") ]
                # compile_tail
            }
          , { source = C.Path.Src "fast.c"
            , object = "CMakeFiles/flags.dir/src/fast.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [] : List C.Path
            , args =
                  flags_flags
                # [ C.Arg.Define { name = "FAST_FACTOR", value = Some "3" }
                  , C.Arg.Include (C.Path.Src "with space")
                  , C.Arg.Flag (C.Flag.optLevel C.OptLevel.O2)
                  , C.Arg.Lit "-fno-strict-aliasing"
                  ]
                # compile_tail
            }
          , { source = C.Path.Src "slow.c"
            , object = "CMakeFiles/flags.dir/src/slow.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [] : List C.Path
            , args =
                  flags_flags
                # [ C.Arg.Define { name = "SLOW_FACTOR", value = Some "5" }
                  , C.Arg.Define
                      { name = "SLOW_NAME", value = Some "\"slow path\"" }
                  , C.Arg.Include (C.Path.Src "with space")
                  , C.Arg.Flag (C.Flag.optLevel C.OptLevel.O0)
                  ]
                # compile_tail
            }
          , { source = C.Path.Src "with space/thing.c"
            , object =
                "CMakeFiles/flags.dir/src/with_space/thing.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Src "with space/thing.h" ]
            , args =
                  flags_flags
                # [ C.Arg.Define
                      { name = "THING_LABEL"
                      , value =
                          Some "\"thing with space\""
                      }
                  , C.Arg.Include (C.Path.Src "with space")
                  , C.Arg.Flag (C.Flag.optLevel C.OptLevel.O1)
                  ]
                # compile_tail
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Objects, C.Arg.Lit "-o", C.Arg.Lit "flags" ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "flags" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ flags ] : List C.Target
