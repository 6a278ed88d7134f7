using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary><c>struct ibv_port_attr</c>: a port's state and, the part discovery needs, its link layer.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvPortAttr
{
    public int State;
    public int MaxMtu;
    public int ActiveMtu;
    public int GidTblLen;
    public uint PortCapFlags;
    public uint MaxMsgSz;
    public uint BadPkeyCntr;
    public uint QkeyViolCntr;
    public ushort PkeyTblLen;
    public ushort Lid;
    public ushort SmLid;
    public byte Lmc;
    public byte MaxVlNum;
    public byte SmSl;
    public byte SubnetTimeout;
    public byte InitTypeReply;
    public byte ActiveWidth;
    public byte ActiveSpeed;
    public byte PhysState;
    public byte LinkLayer;
    public byte Flags;
    public ushort PortCapFlags2;

    /// <summary><c>IBV_LINK_LAYER_ETHERNET</c>.</summary>
    public const byte LinkLayerEthernet = 2;

    /// <summary><c>IBV_PORT_ACTIVE</c>.</summary>
    public const int PortActive = 4;
}
