using CoKv.Models;

namespace CoKv.Llama2c;

/// <summary>
/// A llama2.c checkpoint (Karpathy's run.c format): config from the header, f32 weights memory-mapped and exposed
/// under Hugging Face names. llama2.c rotates adjacent pairs in RoPE, so wq/wk rows are reordered to HF's
/// rotate-half layout on read, exactly as for GGUF "llama" models.
/// </summary>
public sealed class Llama2cCheckpoint : IWeightSource, IRowReader
{
    readonly MappedFile _file;
    readonly Dictionary<string, (TensorInfo Info, long Offset, bool Interleaved)> _tensors = new(StringComparer.Ordinal);

    public string Source => _file.Path;
    public Llama2cHeader Header { get; }
    public ModelConfig Config { get; }
    public IReadOnlyList<TensorInfo> Tensors { get; }

    Llama2cCheckpoint(MappedFile file, Llama2cHeader header)
    {
        _file = file;
        Header = header;
        Config = new ModelConfig
        {
            Architecture = "llama",
            VocabSize = header.VocabSize,
            HiddenSize = header.Dim,
            IntermediateSize = header.HiddenDim,
            LayerCount = header.LayerCount,
            HeadCount = header.HeadCount,
            KvHeadCount = header.KvHeadCount,
            HeadDim = header.HeadSize,
            MaxContext = header.SeqLen,
            RopeTheta = 10000,
            RmsNormEps = 1e-5,
            TiedEmbeddings = header.SharedClassifier,
        };
        Tensors = Layout();
    }

    public static Llama2cCheckpoint Open(string path)
    {
        var file = MappedFile.Open(path);
        try
        {
            var header = Llama2cHeader.Parse(file.Span(0, (int)Math.Min(file.Length, Llama2cHeader.ByteSize)), path);
            return new Llama2cCheckpoint(file, header);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    List<TensorInfo> Layout()
    {
        var h = Header;
        // The size check comes first: the per-layer tables below are as long as the header claims.
        if (h.ExpectedFileBytes() > _file.Length)
            throw new ModelFormatException($"{_file.Path}: the file is truncated or its header is corrupt: the header (dim {h.Dim}, hidden {h.HiddenDim}, {h.LayerCount} layers, vocab {h.VocabSize}, seq_len {h.SeqLen}) needs {h.ExpectedFileBytes():N0} bytes, the file has {_file.Length:N0}.");
        long dim = h.Dim, hidden = h.HiddenDim, kvDim = h.KvDim, vocab = h.VocabSize;
        int layers = h.LayerCount;
        long offset = Llama2cHeader.ByteSize;
        var list = new List<TensorInfo>();

        // llama2.c stores each weight kind for all layers together: (L, rows, cols).
        void Add(string name, long[] shape, bool interleaved = false)
        {
            TensorLimits.CheckReadable(_file.Path, name, shape);
            var info = new TensorInfo(name, shape, TensorType.F32);
            _tensors.Add(name, (info, offset, interleaved));
            list.Add(info);
            offset = checked(offset + info.ElementCount * 4);
        }
        void PerLayer(string suffix, long[] shape, bool interleaved = false)
        {
            for (int l = 0; l < layers; l++) Add($"model.layers.{l}.{suffix}", shape, interleaved);
        }

        try
        {
            Add("model.embed_tokens.weight", [vocab, dim]);
            PerLayer("input_layernorm.weight", [dim]);
            PerLayer("self_attn.q_proj.weight", [dim, dim], interleaved: true);
            PerLayer("self_attn.k_proj.weight", [kvDim, dim], interleaved: true);
            PerLayer("self_attn.v_proj.weight", [kvDim, dim]);
            PerLayer("self_attn.o_proj.weight", [dim, dim]);
            PerLayer("post_attention_layernorm.weight", [dim]);
            PerLayer("mlp.gate_proj.weight", [hidden, dim]);
            PerLayer("mlp.down_proj.weight", [dim, hidden]);
            PerLayer("mlp.up_proj.weight", [hidden, dim]);
            Add("model.norm.weight", [dim]);
            offset = checked(offset + 2L * h.SeqLen * (h.HeadSize / 2) * 4); // freq_cis_real and _imag: RoPE tables we recompute
            if (!h.SharedClassifier) Add("lm_head.weight", [vocab, dim]);
        }
        catch (OverflowException)
        {
            throw new ModelFormatException($"{_file.Path}: the llama2.c header describes a model whose size overflows.");
        }
        if (offset > _file.Length)
            throw new ModelFormatException($"{_file.Path}: the file is truncated: the header (dim {h.Dim}, hidden {h.HiddenDim}, {h.LayerCount} layers, vocab {h.VocabSize}) needs {offset:N0} bytes, the file has {_file.Length:N0}.");
        return list;
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public TensorInfo Describe(string name) => Find(name).Info;

    (TensorInfo Info, long Offset, bool Interleaved) Find(string name) =>
        _tensors.TryGetValue(name, out var t) ? t : throw new ModelFormatException($"{_file.Path}: no tensor '{name}'.");

    public unsafe void ReadFloat32(string name, Span<float> destination)
    {
        var (info, offset, interleaved) = Find(name);
        if (destination.Length != info.ElementCount)
            throw new ArgumentException($"tensor '{name}' has {info.ElementCount} elements; the destination holds {destination.Length}");
        var source = new ReadOnlySpan<float>(_file.At(offset), destination.Length);
        if (interleaved)
            RopePermutation.FromInterleaved(source, destination, (int)info.Shape[0], (int)info.Shape[1], Header.HeadSize);
        else
            source.CopyTo(destination);
    }

    public unsafe void ReadRowsFloat32(string name, long firstRow, Span<float> destination)
    {
        var (info, offset, interleaved) = Find(name);
        long columns = info.Shape[^1], rows = info.ElementCount / Math.Max(1, columns);
        if (columns == 0 || destination.Length % columns != 0 || firstRow < 0 || firstRow + destination.Length / columns > rows)
            throw new ArgumentException($"rows {firstRow}.. of tensor '{name}' ({rows} rows of {columns})");
        for (int i = 0; i < destination.Length / columns; i++)
        {
            long row = firstRow + i;
            if (interleaved) row = RopePermutation.InterleavedRowOf((int)row, Header.HeadSize);
            new ReadOnlySpan<float>(_file.At(offset + row * columns * 4), (int)columns).CopyTo(destination.Slice((int)(i * columns), (int)columns));
        }
    }

    public void Dispose() => _file.Dispose();
}
