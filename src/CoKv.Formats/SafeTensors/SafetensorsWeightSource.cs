using System.Text.Json;
using CoKv.HuggingFace;
using CoKv.Models;

namespace CoKv.SafeTensors;

/// <summary>
/// Weights from a single model.safetensors or a sharded set listed in model.safetensors.index.json, memory-mapped,
/// F32/F16/BF16 converted to f32 on read. Names are taken as they are (Hugging Face checkpoints already use HF names).
/// </summary>
public sealed class SafetensorsWeightSource : IWeightSource, IRowReader
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    readonly List<SafetensorsFile> _files;
    readonly Dictionary<string, (SafetensorsFile File, SafetensorsFile.Entry Entry, TensorInfo Info)> _byName = new(StringComparer.Ordinal);

    public string Source { get; }
    public IReadOnlyList<TensorInfo> Tensors { get; }

    SafetensorsWeightSource(string source, List<SafetensorsFile> files)
    {
        Source = source;
        _files = files;
        var list = new List<TensorInfo>();
        foreach (var f in files)
            foreach (var e in f.Entries.Values.OrderBy(e => e.Begin))
            {
                var info = new TensorInfo(e.Name, e.Shape, e.DType switch
                {
                    SafetensorsDType.F16 => TensorType.F16,
                    SafetensorsDType.BF16 => TensorType.BF16,
                    _ => TensorType.F32,
                });
                if (!_byName.TryAdd(e.Name, (f, e, info)))
                    throw new ModelFormatException($"{source}: tensor {MessageText.Quote(e.Name)} is in more than one shard.");
                list.Add(info);
            }
        Tensors = list;
    }

    /// <summary>Opens a .safetensors file, an index .json, or a folder holding either.</summary>
    public static SafetensorsWeightSource Open(string path)
    {
        if (Directory.Exists(path))
        {
            var index = System.IO.Path.Combine(path, IndexFileName);
            var single = System.IO.Path.Combine(path, SingleFileName);
            if (File.Exists(index)) return OpenIndex(index);
            if (File.Exists(single)) return OpenFiles(single, [single]);
            throw new ModelFormatException($"{path}: no {SingleFileName} or {IndexFileName} in this folder.");
        }
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return OpenIndex(path);
        return OpenFiles(path, [path]);
    }

    static SafetensorsWeightSource OpenIndex(string indexPath)
    {
        if (!File.Exists(indexPath)) throw new ModelFormatException($"{indexPath}: file not found.");
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(indexPath))!;
        var shards = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (var doc = JsonValues.Load(indexPath, "the safetensors index"))
        {
            var map = JsonValues.Required(doc.RootElement, "weight_map", JsonValueKind.Object, indexPath, "weight_map");
            foreach (var p in map.EnumerateObject())
            {
                var shard = JsonValues.String(p.Value, indexPath, $"weight_map[{MessageText.Quote(p.Name)}]");
                if (shard.Length == 0 || shard.Contains('/') || shard.Contains('\\') || shard.Contains(".."))
                    throw new ModelFormatException($"{indexPath}: shard name {MessageText.Quote(shard)} must be a file name in the same folder.");
                if (seen.Add(shard)) shards.Add(shard);
            }
        }
        var paths = shards.Select(s => System.IO.Path.Combine(dir, s)).ToList();
        foreach (var p in paths)
            if (!File.Exists(p)) throw new ModelFormatException($"{indexPath}: shard {p} is missing.");
        return OpenFiles(indexPath, paths);
    }

    static SafetensorsWeightSource OpenFiles(string source, IReadOnlyList<string> paths)
    {
        var files = new List<SafetensorsFile>();
        try
        {
            foreach (var p in paths) files.Add(SafetensorsFile.Open(p));
            return new SafetensorsWeightSource(source, files);
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public TensorInfo Describe(string name) => Find(name).Info;

    (SafetensorsFile File, SafetensorsFile.Entry Entry, TensorInfo Info) Find(string name) =>
        _byName.TryGetValue(name, out var t) ? t : throw new ModelFormatException($"{Source}: no tensor '{name}'.");

    public void ReadFloat32(string name, Span<float> destination)
    {
        var (file, entry, _) = Find(name);
        file.ReadFloat32(entry, destination);
    }

    public void ReadRowsFloat32(string name, long firstRow, Span<float> destination)
    {
        var (file, entry, _) = Find(name);
        file.ReadRows(entry, firstRow, destination);
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
