namespace CoKv.SemanticKernel;

internal static class AssemblyMarker { }
