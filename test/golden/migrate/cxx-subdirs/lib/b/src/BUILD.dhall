{- Targets of lib/b/src: b (StaticLibrary).
   Written by `continuity migrate`; edit freely. Src paths are relative to this directory,
   Out paths to the build tree. Types: ../../../continuity/package.dhall
-}
let C = ../../../continuity/package.dhall

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

let cxx =
      { name = "c++"
      , toolchain =
          { compiler = "/usr/bin/c++"
          , host = x86_64_unknown_linux_gnu
          , target = x86_64_unknown_linux_gnu
          , flags = [] : List C.Flag
          , sysroot = None Text
          }
      }

let b_flags =
      [ C.Arg.Define { name = "A_WORD_LIMIT", value = Some "16" }
      , C.Arg.Include (C.Path.Src "../include")
      , C.Arg.Include (C.Path.Src "../../a/include")
      , C.Arg.Std "c++17"
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

let b =
      { name = "b"
      , kind = C.TargetKind.StaticLibrary
      , sources =
          [ { source = C.Path.Src "stats.cpp"
            , object = "lib/b/CMakeFiles/b.dir/src/stats.cpp.o"
            , language = C.Language.cxx
            , tool = cxx
            , cwd = C.Path.Out ""
            , env = env
            , headers =
                [ C.Path.Src "../include/b/stats.hpp"
                , C.Path.Src "../../a/include/a/words.hpp"
                ]
            , args = b_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.archive
            , tool = ar
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "qc", C.Arg.Lit "lib/b/libb.a", C.Arg.Objects ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "lib/b/libb.a" ]
            , post =
                [ [ C.Arg.Lit "ranlib", C.Arg.Lit "lib/b/libb.a" ] ]
            , rule = None Text
            }
          ]
      }

in  [ b ] : List C.Target
