// Torch's thread count is process-wide, and the trainer's resume test compares weights bit for bit: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
