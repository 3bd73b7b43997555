using CoKv.Models;

namespace CoKv.Gguf;

/// <summary>
/// The tensors of a GGUF model under their Hugging Face names and shapes (outermost first). For "llama" models the
/// Q/K projection rows are put back into HF's rotate-half order on read. Tensors the mapping does not know keep
/// their GGUF names.
/// </summary>
public sealed class GgufWeightSource : IWeightSource, IRowReader
{
    readonly GgufFile _file;
    readonly bool _ownsFile;
    readonly Dictionary<string, (GgufTensorInfo Gguf, TensorInfo Hf)> _byName = new(StringComparer.Ordinal);
    readonly bool _interleavedQk;
    readonly int _headDim;

    public string Source => _file.Path;
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <param name="config">The model's config (for head sizes); read from the file when null.</param>
    public GgufWeightSource(GgufFile file, ModelConfig? config = null, bool ownsFile = false)
    {
        _file = file;
        _ownsFile = ownsFile;
        config ??= GgufConfig.ToModelConfig(file);
        _interleavedQk = GgufArchitectures.HasInterleavedQk(file.Architecture);
        _headDim = config.HeadDim;
        file.RequireAllReadable();
        var list = new List<TensorInfo>();
        foreach (var t in file.Tensors)
        {
            var shape = t.Shape;
            TensorLimits.CheckReadable(file.Path, t.Name, shape);
            var name = GgufTensorNames.ToHf(t.Name) ?? t.Name;
            if (_interleavedQk && GgufTensorNames.IsQueryOrKey(name, out _) && (shape.Length is < 1 or > 2 || shape[0] % _headDim != 0))
                throw new ModelFormatException($"{file.Path}: tensor '{t.Name}' of shape [{string.Join(", ", shape)}] is not a whole number of heads of {_headDim}.");
            var info = new TensorInfo(name, shape, ToStoredType(t.Type));
            if (!_byName.TryAdd(name, (t, info)))
                throw new ModelFormatException($"{file.Path}: two tensors map to '{name}'.");
            list.Add(info);
        }
        Tensors = list;
    }

    public static GgufWeightSource Open(string path)
    {
        var file = GgufFile.Open(path);
        try { return new GgufWeightSource(file, null, ownsFile: true); }
        catch { file.Dispose(); throw; }
    }

    static TensorType ToStoredType(GgmlType t) => t switch
    {
        GgmlType.F32 => TensorType.F32,
        GgmlType.F16 => TensorType.F16,
        GgmlType.BF16 => TensorType.BF16,
        GgmlType.Q8_0 => TensorType.Q8_0,
        _ => TensorType.Quantized,
    };

    /// <summary>The GGUF tensor behind a Hugging Face name (its ggml type and dimensions).</summary>
    public GgufTensorInfo GgufTensor(string name) => Find(name).Gguf;

    /// <summary>
    /// The tensor's stored bytes in place, in the file's row order (see <see cref="StoredRowOrder"/>), for kernels
    /// that read quantized blocks directly.
    /// </summary>
    public GgufTensorData GetTensorData(string name) => _file.GetTensorData(Find(name).Gguf);

    /// <summary>
    /// Where each Hugging Face row of a matrix lies among the stored rows: element r is the stored row that holds
    /// HF row r. Null when the order is the same (every tensor but the Q/K projections of "llama"-style files, whose
    /// rows llama.cpp keeps in pair-interleaved RoPE order). A kernel computing y = W·x over the stored rows gets the
    /// HF output as y_hf[r] = y_stored[order[r]].
    /// </summary>
    public int[]? StoredRowOrder(string name)
    {
        var (_, hf) = Find(name);
        if (!(_interleavedQk && GgufTensorNames.IsQueryOrKey(name, out _) && hf.Shape.Length == 2)) return null;
        var order = new int[hf.Shape[0]];
        for (int r = 0; r < order.Length; r++) order[r] = RopePermutation.InterleavedRowOf(r, _headDim);
        return order;
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public TensorInfo Describe(string name) => Find(name).Hf;

    (GgufTensorInfo Gguf, TensorInfo Hf) Find(string name) =>
        _byName.TryGetValue(name, out var t) ? t : throw new ModelFormatException($"{_file.Path}: no tensor '{name}'.");

    public void ReadFloat32(string name, Span<float> destination)
    {
        var (gguf, hf) = Find(name);
        if (destination.Length != hf.ElementCount)
            throw new ArgumentException($"tensor '{name}' has {hf.ElementCount} elements; the destination holds {destination.Length}");
        if (!(_interleavedQk && GgufTensorNames.IsQueryOrKey(name, out _)))
        {
            _file.ReadFloat32(gguf, destination);
            return;
        }
        // Read each HF row straight from the interleaved row that holds it: no temporary copy of the tensor.
        int rows = (int)hf.Shape[0];
        int columns = hf.Shape.Length == 2 ? (int)hf.Shape[1] : 1;
        if (hf.Shape.Length == 1)
        {
            // A bias is a single ggml row: read it whole, then reorder its elements.
            var raw = new float[rows];
            _file.ReadFloat32(gguf, raw);
            RopePermutation.FromInterleaved(raw, destination, rows, 1, _headDim);
            return;
        }
        for (int row = 0; row < rows; row++)
            _file.ReadRows(gguf, RopePermutation.InterleavedRowOf(row, _headDim), destination.Slice(row * columns, columns));
    }

    public void ReadRowsFloat32(string name, long firstRow, Span<float> destination)
    {
        var (gguf, hf) = Find(name);
        if (!(_interleavedQk && GgufTensorNames.IsQueryOrKey(name, out _) && hf.Shape.Length == 2))
        {
            if (hf.Shape.Length <= 1 && destination.Length == hf.ElementCount && firstRow == 0) ReadFloat32(name, destination);
            else _file.ReadRows(gguf, firstRow, destination);
            return;
        }
        int columns = (int)hf.Shape[1];
        for (int i = 0; i < destination.Length / columns; i++)
            _file.ReadRows(gguf, RopePermutation.InterleavedRowOf((int)(firstRow + i), _headDim), destination.Slice(i * columns, columns));
    }

    public void Dispose()
    {
        if (_ownsFile) _file.Dispose();
    }
}
