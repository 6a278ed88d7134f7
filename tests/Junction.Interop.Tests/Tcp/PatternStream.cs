using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// A seeded byte sequence of any length that can be produced from any offset, so a sender never holds the whole
/// transfer and a verifier can hash it independently: the 8-byte little-endian word at word index w is
/// the SplitMix64 finaliser of seed + w·0x9E3779B97F4A7C15. Every position differs from its neighbours, so lost, duplicated or reordered data changes
/// the hash.
/// </summary>
internal sealed class PatternStream(ulong seed)
{
    private const int ChunkSize = 1 << 20;

    /// <summary>Writes the bytes at positions [offset, offset + destination.Length) into <paramref name="destination"/>.</summary>
    public void Fill(long offset, Span<byte> destination)
    {
        Span<byte> word = stackalloc byte[8];
        long position = offset;
        int written = 0;
        int misalignment = (int)(position & 7);
        if (misalignment != 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Word(position >> 3));
            int take = Math.Min(8 - misalignment, destination.Length);
            word.Slice(misalignment, take).CopyTo(destination);
            written += take;
            position += take;
        }
        long index = position >> 3;
        while (destination.Length - written >= 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[written..], Word(index++));
            written += 8;
        }
        if (written < destination.Length)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Word(index));
            word[..(destination.Length - written)].CopyTo(destination[written..]);
        }
    }

    /// <summary>The SHA-256 of the first <paramref name="length"/> bytes, as lowercase hex (what sha256sum prints).</summary>
    public string Sha256(long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] chunk = new byte[ChunkSize];
        for (long offset = 0; offset < length; offset += ChunkSize)
        {
            int n = (int)Math.Min(ChunkSize, length - offset);
            Fill(offset, chunk.AsSpan(0, n));
            hash.AppendData(chunk, 0, n);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Writes the first <paramref name="length"/> bytes to <paramref name="path"/> and returns their SHA-256 (hex).</summary>
    public string WriteFile(string path, long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        byte[] chunk = new byte[ChunkSize];
        for (long offset = 0; offset < length; offset += ChunkSize)
        {
            int n = (int)Math.Min(ChunkSize, length - offset);
            Fill(offset, chunk.AsSpan(0, n));
            hash.AppendData(chunk, 0, n);
            file.Write(chunk, 0, n);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private ulong Word(long index)
    {
        ulong z = seed + (ulong)index * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
