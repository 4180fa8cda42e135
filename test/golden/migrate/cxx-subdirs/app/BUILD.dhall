{- Targets of app: wordstats (Executable).
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

let wordstats_flags =
      [ C.Arg.Define { name = "A_WORD_LIMIT", value = Some "16" }
      , C.Arg.Include (C.Path.Src "../lib/b/include")
      , C.Arg.Include (C.Path.Src "../lib/a/include")
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

let wordstats =
      { name = "wordstats"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "main.cpp"
            , object = "app/CMakeFiles/wordstats.dir/main.cpp.o"
            , language = C.Language.cxx
            , tool = cxx
            , cwd = C.Path.Out ""
            , env = env
            , headers =
                [ C.Path.Src "../lib/b/include/b/stats.hpp"
                , C.Path.Src "../lib/a/include/a/words.hpp"
                ]
            , args = wordstats_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cxx
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Objects
                , C.Arg.Lit "-o"
                , C.Arg.Lit "app/wordstats"
                , C.Arg.Lit "lib/b/libb.a"
                , C.Arg.Lit "lib/a/liba.a"
                ]
            , inputs =
                [ C.Path.Out "lib/b/libb.a", C.Path.Out "lib/a/liba.a" ]
            , outputs = [ C.Path.Out "app/wordstats" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ wordstats ] : List C.Target
