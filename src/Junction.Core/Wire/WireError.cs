namespace Junction.Wire;

/// <summary>Why a header was rejected by a wire view. Bad packets are reported, never thrown.</summary>
internal enum WireError
{
    /// <summary>The header parsed cleanly.</summary>
    None,
    /// <summary>The buffer ends before the header (or the length it declares) does.</summary>
    Truncated,
    /// <summary>The version field is not the one this view reads.</summary>
    BadVersion,
    /// <summary>A header-length field (IPv4 IHL, TCP data offset) is too small or points past the data.</summary>
    BadHeaderLength,
    /// <summary>A length field disagrees with the header or the enclosing packet.</summary>
    BadLength,
    /// <summary>The checksum does not verify.</summary>
    BadChecksum,
    /// <summary>An option is malformed (length below 2 or running past the header).</summary>
    BadOption,
    /// <summary>An IPv4 fragment; reassembly is not supported.</summary>
    Fragmented,
    /// <summary>A well-formed header of a kind this view does not handle.</summary>
    Unsupported,
}
