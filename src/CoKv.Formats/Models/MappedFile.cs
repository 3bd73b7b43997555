using System.IO.MemoryMappedFiles;

namespace CoKv.Models;

/// <summary>
/// A read-only memory map of a whole file with a raw base pointer, so that tensor bytes are read where they lie
/// (the OS pages them in) rather than copied into managed memory.
/// </summary>
public sealed unsafe class MappedFile : IDisposable
{
    readonly MemoryMappedFile? _map;
    readonly MemoryMappedViewAccessor? _view;
    byte* _base;

    public string Path { get; }
    public long Length { get; }

    MappedFile(string path, long length, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePointer)
    {
        Path = path;
        Length = length;
        _map = map;
        _view = view;
        _base = basePointer;
    }

    public static MappedFile Open(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: file not found.");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot open ({e.Message}).", e);
        }
        long length = stream.Length;
        // An empty file cannot be mapped; it is still a valid (truncated) input that callers report themselves.
        if (length == 0)
        {
            stream.Dispose();
            return new MappedFile(path, 0, null, null, null);
        }
        var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        return new MappedFile(path, length, map, view, p + view.PointerOffset);
    }

    /// <summary>Pointer to byte <paramref name="offset"/>; the caller has checked the range against <see cref="Length"/>.</summary>
    public byte* At(long offset)
    {
        if (_base == null && Length > 0) throw new ObjectDisposedException(Path);
        return _base + offset;
    }

    public bool Contains(long offset, long count) => offset >= 0 && count >= 0 && offset <= Length && count <= Length - offset;

    public ReadOnlySpan<byte> Span(long offset, int count)
    {
        if (!Contains(offset, count)) throw new ModelFormatException($"{Path}: read of {count} bytes at {offset} is past the end of the file ({Length} bytes).");
        return new ReadOnlySpan<byte>(At(offset), count);
    }

    public void Dispose()
    {
        if (_view != null && _base != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _base = null;
        }
        _view?.Dispose();
        _map?.Dispose();
    }
}
