{- Targets of the source root: config_h (CustomCommand), hello (Executable).
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

let env =
      [] : C.Env

let config_h =
      { name = "config_h"
      , kind = C.TargetKind.CustomCommand
      , sources = [] : List C.Compile
      , steps =
          [ { kind = C.StepKind.custom
            , tool = sh
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "-c"
                , C.Arg.Lit "echo '#define GREETING \"hello\"' > config.h"
                ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "config.h" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

let hello_flags =
      [ C.Arg.Lit "-I."
      , C.Arg.Lit "-c"
      , C.Arg.Source
      , C.Arg.Lit "-o"
      , C.Arg.Object
      ]

let env_2 =
      toMap { LANG = "C.UTF-8" }

let hello =
      { name = "hello"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "hello.c"
            , object = "hello.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env_2
            , headers = [ C.Path.Out "config.h" ]
            , args = hello_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env_2
            , args =
                [ C.Arg.Lit "-o", C.Arg.Lit "hello", C.Arg.Objects ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "hello" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ config_h, hello ] : List C.Target
