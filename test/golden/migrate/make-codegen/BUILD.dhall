{- Targets of the source root: gen (Executable), prog (Executable), square (StaticLibrary), table_h (CustomCommand).
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

let compile_tail =
      [ C.Arg.Lit "-o", C.Arg.Object ]

let gen_flags =
      [ C.Arg.Flag (C.Flag.optLevel C.OptLevel.O2)
      , C.Arg.Lit "-c"
      , C.Arg.Lit "gen.c"
      ]

let env =
      toMap { LANG = "C.UTF-8" }

let gen =
      { name = "gen"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "gen.c"
            , object = "gen.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [] : List C.Path
            , args = gen_flags # compile_tail
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "-o"
                , C.Arg.Lit "gen"
                , C.Arg.Objects
                , C.Arg.Lit "-L."
                , C.Arg.Lit "-lsquare"
                ]
            , inputs = [ C.Path.Out "libsquare.a" ]
            , outputs = [ C.Path.Out "gen" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

let prog_flags =
      [ C.Arg.Flag (C.Flag.optLevel C.OptLevel.O2)
      , C.Arg.Lit "-c"
      , C.Arg.Lit "prog.c"
      ]

let prog =
      { name = "prog"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "prog.c"
            , object = "prog.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Out "table.h" ]
            , args = prog_flags # compile_tail
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "-o", C.Arg.Lit "prog", C.Arg.Objects ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "prog" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

let square_flags =
      [ C.Arg.Flag (C.Flag.optLevel C.OptLevel.O2)
      , C.Arg.Lit "-c"
      , C.Arg.Lit "square.c"
      ]

let square =
      { name = "square"
      , kind = C.TargetKind.StaticLibrary
      , sources =
          [ { source = C.Path.Src "square.c"
            , object = "square.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [] : List C.Path
            , args = square_flags # compile_tail
            }
          ]
      , steps =
          [ { kind = C.StepKind.archive
            , tool = ar
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "rc", C.Arg.Lit "libsquare.a", C.Arg.Objects ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "libsquare.a" ]
            , post =
                [ [ C.Arg.Lit "ranlib", C.Arg.Lit "libsquare.a" ] ]
            , rule = None Text
            }
          ]
      }

let env_2 =
      [] : C.Env

let table_h =
      { name = "table_h"
      , kind = C.TargetKind.CustomCommand
      , sources = [] : List C.Compile
      , steps =
          [ { kind = C.StepKind.custom
            , tool = sh
            , cwd = C.Path.Out ""
            , env = env_2
            , args =
                [ C.Arg.Lit "-c", C.Arg.Lit "./gen 8 > table.h" ]
            , inputs = [ C.Path.Out "gen" ]
            , outputs = [ C.Path.Out "table.h" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ gen, prog, square, table_h ] : List C.Target
