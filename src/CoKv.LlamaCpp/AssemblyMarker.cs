namespace CoKv.LlamaCpp;

internal static class AssemblyMarker { }
