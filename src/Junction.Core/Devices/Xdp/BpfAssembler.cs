namespace Junction.Devices.Xdp;

/// <summary>
/// Writes eBPF instructions (linux/bpf.h encoding: 8-bit opcode, 4-bit destination and source registers, 16-bit
/// offset, 32-bit immediate) with forward labels, so the XDP program can be assembled here instead of by clang.
/// </summary>
internal sealed class BpfAssembler
{
    // Instruction classes, sizes, modes and operations used by the steering program.
    private const byte ClassLd = 0x00, ClassLdx = 0x01, ClassStx = 0x03, ClassJmp = 0x05, ClassAlu64 = 0x07;
    private const byte SizeW = 0x00, SizeH = 0x08, SizeDw = 0x18;
    private const byte ModeImm = 0x00, ModeMem = 0x60;
    private const byte SourceK = 0x00, SourceX = 0x08;
    private const byte OpAdd = 0x00, OpMov = 0xb0;
    private const byte JumpAlways = 0x00, JumpEq = 0x10, JumpGt = 0x20, JumpCall = 0x80, JumpExit = 0x90;
    private const byte PseudoMapFd = 1;

    private readonly List<ulong> _instructions = [];
    private readonly List<(int Instruction, int Label)> _fixups = [];
    private readonly List<int> _labels = [];

    /// <summary>How many 8-byte instruction slots were written.</summary>
    public int Count => _instructions.Count;

    /// <summary>Encodes one instruction slot.</summary>
    public static ulong Encode(byte opcode, int destination, int source, short offset, int immediate) =>
        opcode | ((ulong)(destination & 0xf) << 8) | ((ulong)(source & 0xf) << 12) | ((ulong)(ushort)offset << 16) | ((ulong)(uint)immediate << 32);

    /// <summary>A label to jump to, placed later with <see cref="Place"/>.</summary>
    public int NewLabel()
    {
        _labels.Add(-1);
        return _labels.Count - 1;
    }

    /// <summary>Makes <paramref name="label"/> point at the next instruction.</summary>
    public void Place(int label) => _labels[label] = _instructions.Count;

    /// <summary>dst = src (64-bit).</summary>
    public void MovReg(int destination, int source) => Emit(ClassAlu64 | OpMov | SourceX, destination, source, 0, 0);

    /// <summary>dst = imm (64-bit, sign-extended).</summary>
    public void MovImm(int destination, int immediate) => Emit(ClassAlu64 | OpMov | SourceK, destination, 0, 0, immediate);

    /// <summary>dst += imm (64-bit).</summary>
    public void AddImm(int destination, int immediate) => Emit(ClassAlu64 | OpAdd | SourceK, destination, 0, 0, immediate);

    /// <summary>dst = *(u32*)(src + offset).</summary>
    public void LoadWord(int destination, int source, short offset) => Emit(ClassLdx | ModeMem | SizeW, destination, source, offset, 0);

    /// <summary>dst = *(u16*)(src + offset).</summary>
    public void LoadHalf(int destination, int source, short offset) => Emit(ClassLdx | ModeMem | SizeH, destination, source, offset, 0);

    /// <summary>*(u32*)(dst + offset) = src.</summary>
    public void StoreWord(int destination, short offset, int source) => Emit(ClassStx | ModeMem | SizeW, destination, source, offset, 0);

    /// <summary>dst = the map with file descriptor <paramref name="mapFd"/> (a two-slot ld_imm64 the kernel rewrites into a map pointer).</summary>
    public void LoadMapFd(int destination, int mapFd)
    {
        Emit(ClassLd | SizeDw | ModeImm, destination, PseudoMapFd, 0, mapFd);
        Emit(0, 0, 0, 0, 0);
    }

    /// <summary>Jump to <paramref name="label"/> if dst &gt; src (unsigned).</summary>
    public void JumpIfGreater(int destination, int source, int label) => EmitJump(ClassJmp | JumpGt | SourceX, destination, source, 0, label);

    /// <summary>Jump to <paramref name="label"/> if dst == imm.</summary>
    public void JumpIfEqual(int destination, int immediate, int label) => EmitJump(ClassJmp | JumpEq | SourceK, destination, 0, immediate, label);

    /// <summary>Jump to <paramref name="label"/>.</summary>
    public void Jump(int label) => EmitJump(ClassJmp | JumpAlways, 0, 0, 0, label);

    /// <summary>Calls kernel helper number <paramref name="helper"/> (arguments in r1-r5, result in r0).</summary>
    public void Call(int helper) => Emit(ClassJmp | JumpCall, 0, 0, 0, helper);

    /// <summary>Returns r0.</summary>
    public void Exit() => Emit(ClassJmp | JumpExit, 0, 0, 0, 0);

    /// <summary>The program, with every jump resolved.</summary>
    public ulong[] ToArray()
    {
        ulong[] program = [.. _instructions];
        foreach ((int at, int label) in _fixups)
        {
            int target = _labels[label];
            if (target < 0) throw new InvalidOperationException($"Label {label} was never placed.");
            int offset = target - (at + 1);
            program[at] = (program[at] & ~(0xffffUL << 16)) | ((ulong)(ushort)(short)offset << 16);
        }
        return program;
    }

    private void Emit(int opcode, int destination, int source, short offset, int immediate) =>
        _instructions.Add(Encode((byte)opcode, destination, source, offset, immediate));

    private void EmitJump(int opcode, int destination, int source, int immediate, int label)
    {
        _fixups.Add((_instructions.Count, label));
        Emit(opcode, destination, source, 0, immediate);
    }
}
