namespace CoKv.Models;

/// <summary>
/// A weight source that can read a few rows of a tensor without converting the whole tensor (a row is the last,
/// innermost dimension; a 1-D tensor is one row). Used to sample large tensors cheaply.
/// </summary>
public interface IRowReader
{
    void ReadRowsFloat32(string name, long firstRow, Span<float> destination);
}
