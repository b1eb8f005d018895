##! Zest's declarations for Zeek 5.2.2's src/input/readers/benchmark/benchmark.bif (plugin Zeek::BenchmarkReader).

export {

module InputBenchmark;

}

module GLOBAL;
