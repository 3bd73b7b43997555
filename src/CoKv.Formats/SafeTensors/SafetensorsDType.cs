namespace CoKv.SafeTensors;

public enum SafetensorsDType { F32, F16, BF16 }

static class SafetensorsDTypes
{
    public const string SupportedList = "F32, F16, BF16";

    public static bool TryParse(string name, out SafetensorsDType dtype)
    {
        switch (name)
        {
            case "F32": dtype = SafetensorsDType.F32; return true;
            case "F16": dtype = SafetensorsDType.F16; return true;
            case "BF16": dtype = SafetensorsDType.BF16; return true;
            default: dtype = default; return false;
        }
    }

    public static int Size(SafetensorsDType d) => d == SafetensorsDType.F32 ? 4 : 2;
}
