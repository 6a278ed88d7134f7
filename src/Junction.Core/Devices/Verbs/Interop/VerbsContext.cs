using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary>
/// <c>struct verbs_context</c>: the extended ops table that sits immediately before an <c>ibv_context</c> and "grows up"
/// (new entry points are added at lower addresses). <see cref="Size"/> (<c>sz</c>) says how far up a given library's table
/// reaches, which is how the inline verbs tell whether an entry exists; <see cref="VerbsOps"/> repeats that check.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
internal struct VerbsContext
{
    [FieldOffset(0)] public nint QueryPort;
    [FieldOffset(152)] public nint DestroyRwqIndTable;
    [FieldOffset(160)] public nint CreateRwqIndTable;
    [FieldOffset(168)] public nint DestroyWq;
    [FieldOffset(176)] public nint ModifyWq;
    [FieldOffset(184)] public nint CreateWq;
    [FieldOffset(224)] public nint DestroyFlow;
    [FieldOffset(240)] public nint CreateFlow;
    [FieldOffset(264)] public nint CreateQpEx;
    [FieldOffset(312)] public nuint Size;
    [FieldOffset(ContextOffset)] public IbvContext Context;

    /// <summary>Where the embedded <c>ibv_context</c> starts (<c>offsetof(struct verbs_context, context)</c>).</summary>
    public const int ContextOffset = 320;

    /// <summary><c>sizeof(struct verbs_context)</c> in the headers this was written against (the table plus the context).</summary>
    public const int CSize = 648;
}
