using Junction.Interop;
using System.Runtime.InteropServices;
using System.Text;
using Junction.Devices.Verbs.Interop;

namespace Junction.Devices.Verbs;

/// <summary>Discovery's system steps through libibverbs itself.</summary>
internal sealed unsafe class NativeVerbsPlatform : IVerbsPlatform
{
    public static readonly NativeVerbsPlatform Instance = new();

    private NativeVerbsPlatform()
    {
    }

    public bool TryLoadLibrary() => VerbsLibrary.TryLoadIbverbs();

    public int ListDevices(List<VerbsDeviceInfo> devices)
    {
        int count;
        Marshal.SetLastSystemError(0);
        nint* list = LibIbverbs.GetDeviceList(&count);
        if (list == null)
        {
            int error = Marshal.GetLastPInvokeError();
            return error == 0 ? Errno.ENODEV : error;
        }
        try
        {
            for (int i = 0; i < count && list[i] != 0; i++)
            {
                var device = (IbvDevice*)list[i];
                devices.Add(new VerbsDeviceInfo(ReadString(device->Name, IbvDevice.NameMax), ReadDriver(ReadString(device->IbdevPath, IbvDevice.PathMax))));
            }
        }
        finally
        {
            LibIbverbs.FreeDeviceList(list);
        }
        return 0;
    }

    private static string ReadString(byte* text, int max)
    {
        var span = new ReadOnlySpan<byte>(text, max);
        int end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span.Slice(0, end));
    }

    private static string ReadDriver(string ibdevPath)
    {
        // /sys/class/infiniband/<dev>/device/driver links to .../drivers/mlx5_core or .../drivers/mana.
        try
        {
            var target = new FileInfo(Path.Combine(ibdevPath, "device", "driver")).LinkTarget;
            return target is null ? string.Empty : Path.GetFileName(target);
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    public int QueryPort(string deviceName, byte port, out byte linkLayer, out int portState)
    {
        linkLayer = 0;
        portState = 0;
        int error = OpenByName(deviceName, out IbvContext* context);
        if (error != 0) return error;
        try
        {
            IbvPortAttr attr;
            int rc = VerbsOps.QueryPort(context, port, &attr);
            if (rc != 0) return rc;
            linkLayer = attr.LinkLayer;
            portState = attr.State;
            return 0;
        }
        finally
        {
            _ = LibIbverbs.CloseDevice(context);
        }
    }

    public int ProbeRawPacket(string deviceName, byte port)
    {
        int error = OpenByName(deviceName, out IbvContext* context);
        if (error != 0) return error;
        IbvPd* pd = null;
        IbvCq* cq = null;
        try
        {
            pd = LibIbverbs.AllocPd(context);
            if (pd == null) return Marshal.GetLastPInvokeError();
            cq = LibIbverbs.CreateCq(context, 1, 0, null, 0);
            if (cq == null) return Marshal.GetLastPInvokeError();
            IbvQpInitAttr attr = default;
            attr.SendCq = (nint)cq;
            attr.RecvCq = (nint)cq;
            attr.Cap.MaxSendWr = 1;
            attr.Cap.MaxSendSge = 1;
            attr.QpType = IbvQpConstants.QptRawPacket;
            IbvQp* qp = LibIbverbs.CreateQp(pd, &attr);
            if (qp == null) return Marshal.GetLastPInvokeError();
            _ = LibIbverbs.DestroyQp(qp);
            return 0;
        }
        finally
        {
            if (cq != null) _ = LibIbverbs.DestroyCq(cq);
            if (pd != null) _ = LibIbverbs.DeallocPd(pd);
            _ = LibIbverbs.CloseDevice(context);
        }
    }

    /// <summary>Opens the RDMA device called <paramref name="name"/>.</summary>
    internal static int OpenByName(string name, out IbvContext* context)
    {
        context = null;
        int count;
        nint* list = LibIbverbs.GetDeviceList(&count);
        if (list == null) return Marshal.GetLastPInvokeError();
        try
        {
            for (int i = 0; i < count && list[i] != 0; i++)
            {
                if (ReadString(((IbvDevice*)list[i])->Name, IbvDevice.NameMax) != name) continue;
                context = LibIbverbs.OpenDevice(list[i]);
                return context == null ? Marshal.GetLastPInvokeError() : 0;
            }
            return Errno.ENODEV;
        }
        finally
        {
            LibIbverbs.FreeDeviceList(list);
        }
    }
}
