{- Targets of the source root: libshape_so_1 (CustomCommand).
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

let libshape_so_1 =
      { name = "libshape_so_1"
      , kind = C.TargetKind.CustomCommand
      , sources = [] : List C.Compile
      , steps =
          [ { kind = C.StepKind.custom
            , tool = sh
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "-c"
                , C.Arg.Path
                    (C.Path.Abs "/usr/bin/cmake -E cmake_symlink_library libshape.so.1.2.3  libshape.so.1 libshape.so && :")
                ]
            , inputs = [ C.Path.Out "libshape.so.1.2.3" ]
            , outputs =
                [ C.Path.Out "libshape.so.1", C.Path.Out "libshape.so" ]
            , post = [] : List (List C.Arg)
            , rule = Some "CMAKE_SYMLINK_LIBRARY"
            }
          ]
      }

in  [ libshape_so_1 ] : List C.Target
