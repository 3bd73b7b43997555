namespace CoKv;

internal static class AssemblyMarker { }
