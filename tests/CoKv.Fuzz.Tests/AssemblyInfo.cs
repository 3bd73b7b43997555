// The fuzz cases watch the process's resident memory: tests running beside them would blur what each case takes.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
