using System.CommandLine;
using CoKv.Cli.Commands;
using CoKv.Kernels;

// Memory first: prefill temporaries go back to the system when freed instead of staying resident in the C heap, at
// some prefill time (NativeAllocator says how much of each).
NativeAllocator.ReturnLargeBlocksToSystem();

var root = new RootCommand("cokv: a local Llama-family model with a per-KV-head budgeted cache (CoKV).")
{
    TrainCommand.Create(),
    InspectCommand.Create(),
    GenerateCommand.Create(),
    CompareLlamaCppCommand.Create(),
    QuantizeCommand.Create(),
    BenchCommand.Create(),
    BenchConstraintCommand.Create(),
    BenchKernelsCommand.Create(),
    ProfileCommand.Create(),
    EvalCommand.Create(),
    ProfileInspectCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
