namespace CoKv.Plotting;

internal static class AssemblyMarker { }
