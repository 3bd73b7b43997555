// Every test here runs cokv in-process: the console and libtorch's thread count are process-wide.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
