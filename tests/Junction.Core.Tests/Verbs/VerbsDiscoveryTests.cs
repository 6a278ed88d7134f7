using Junction.Devices;
using Junction.Devices.Verbs;

namespace Junction.Tests.Verbs;

public sealed class VerbsDiscoveryTests
{
    private static readonly VerbsDeviceInfo Mlx5 = new("mlx5_0", "mlx5_core");
    private static readonly VerbsDeviceInfo Mana = new("mana_0", "mana");
    private static readonly VerbsDeviceInfo Rxe = new("rxe0", "");

    private static VerbsDiscoveryResult Discover(FakeVerbsPlatform platform, string? name = null) =>
        VerbsDiscovery.Discover(platform, name, 1);

    [Fact]
    public void This_machine_reports_the_kernel_has_no_verbs_support()
    {
        // The CI kernel is built without InfiniBand: libibverbs loads (test.sh installs it) and the device list
        // fails with ENOSYS.
        VerbsDiscoveryResult result = VerbsDiscovery.Discover();

        Assert.Equal(VerbsDiscoveryStatus.KernelUnsupported, result.Status);
        Assert.Equal("The kernel has no RDMA verbs support: ibv_get_device_list failed with ENOSYS (no ib_uverbs; a kernel built without InfiniBand).", result.Reason);
        Assert.False(result.IsAvailable);
    }

    [Fact]
    public void Auto_selects_af_xdp_on_this_machine_with_the_verbs_reason()
    {
        DeviceSelection selection = DeviceSelector.SelectAuto();

        Assert.Equal(DeviceKind.AfXdp, selection.Kind);
        Assert.Equal(VerbsDiscovery.KernelUnsupportedReason, selection.Verbs.Reason);
        Assert.Equal("Using AF_XDP: rdma-core verbs is unavailable. " + VerbsDiscovery.KernelUnsupportedReason, selection.Reason);
    }

    [Fact]
    public void Auto_selects_verbs_when_a_port_is_available()
    {
        DeviceSelection selection = DeviceSelector.Select(Discover(new FakeVerbsPlatform { Devices = [Mlx5] }));

        Assert.Equal(DeviceKind.Verbs, selection.Kind);
        Assert.Equal("Using rdma-core verbs: mlx5_0 port 1 is an active Ethernet port with raw packet access.", selection.Reason);
    }

    [Fact]
    public void Missing_library_is_reported_without_listing_devices()
    {
        var platform = new FakeVerbsPlatform { LibraryLoads = false };

        VerbsDiscoveryResult result = Discover(platform);

        Assert.Equal(VerbsDiscoveryStatus.LibraryMissing, result.Status);
        Assert.Equal("libibverbs.so.1 could not be loaded: install rdma-core's libibverbs1 and ibverbs-providers packages.", result.Reason);
        Assert.Equal(["load"], platform.Calls);
    }

    [Fact]
    public void Enosys_from_the_device_list_means_no_kernel_support()
    {
        VerbsDiscoveryResult result = Discover(new FakeVerbsPlatform { ListError = 38 });

        Assert.Equal(VerbsDiscoveryStatus.KernelUnsupported, result.Status);
        Assert.Equal(VerbsDiscovery.KernelUnsupportedReason, result.Reason);
    }

    [Fact]
    public void Empty_device_list_means_no_device()
    {
        VerbsDiscoveryResult result = Discover(new FakeVerbsPlatform());

        Assert.Equal(VerbsDiscoveryStatus.NoDevice, result.Status);
        Assert.Equal("No RDMA device is present: no mlx5 or MANA NIC with its RDMA driver (mlx5_ib, mana_ib) loaded.", result.Reason);
    }

    [Fact]
    public void Devices_of_other_families_are_named_in_the_reason()
    {
        VerbsDiscoveryResult result = Discover(new FakeVerbsPlatform { Devices = [Rxe, new("efa_0", "efa")] });

        Assert.Equal(VerbsDiscoveryStatus.NoSupportedDevice, result.Status);
        Assert.Equal("No mlx5 or MANA device among the RDMA devices present (rxe0, efa_0).", result.Reason);
    }

    [Fact]
    public void A_named_device_that_is_absent_is_reported()
    {
        VerbsDiscoveryResult result = Discover(new FakeVerbsPlatform { Devices = [Mlx5] }, "mlx5_3");

        Assert.Equal(VerbsDiscoveryStatus.NoSupportedDevice, result.Status);
        Assert.Equal("RDMA device mlx5_3 is not present or not an mlx5 NIC (present: mlx5_0).", result.Reason);
    }

    [Fact]
    public void Mana_alone_is_detected_and_reported_as_not_yet_supported()
    {
        var platform = new FakeVerbsPlatform { Devices = [Mana] };

        VerbsDiscoveryResult result = Discover(platform);

        Assert.Equal(VerbsDiscoveryStatus.ManaNotSupported, result.Status);
        Assert.Equal(VerbsNicKind.Mana, result.NicKind);
        Assert.Equal("MANA device mana_0 found, but MANA is not yet supported: it needs its own WQE format (manadv rings), which Junction does not implement.", result.Reason);
        Assert.DoesNotContain(platform.Calls, c => c.StartsWith("query", StringComparison.Ordinal));
    }

    [Fact]
    public void Mlx5_is_preferred_over_mana_on_a_vm_with_both()
    {
        VerbsDiscoveryResult result = Discover(new FakeVerbsPlatform { Devices = [Mana, Mlx5] });

        Assert.Equal(VerbsDiscoveryStatus.Available, result.Status);
        Assert.Equal("mlx5_0", result.DeviceName);
        Assert.Equal(VerbsNicKind.Mlx5, result.NicKind);
    }

    [Fact]
    public void Device_family_falls_back_to_the_name_when_sysfs_has_no_driver_link()
    {
        Assert.Equal(VerbsNicKind.Mlx5, new VerbsDeviceInfo("mlx5_1", "").Kind);
        Assert.Equal(VerbsNicKind.Mana, new VerbsDeviceInfo("mana_0", "").Kind);
        Assert.Equal(VerbsNicKind.Other, new VerbsDeviceInfo("mlx5_1", "rdma_rxe").Kind);
    }

    [Fact]
    public void Refused_open_is_a_permission_problem_with_dev_infiniband()
    {
        VerbsDiscoveryResult result = Discover(new FakeVerbsPlatform { Devices = [Mlx5], QueryError = 13 });

        Assert.Equal(VerbsDiscoveryStatus.PermissionDenied, result.Status);
        Assert.Equal("Opening mlx5_0 was refused (EACCES): the process may not open its /dev/infiniband/uverbs file (add the user to the rdma group or run as root).", result.Reason);
    }

    [Fact]
    public void Infiniband_port_is_not_usable_for_raw_ethernet()
    {
        VerbsDiscoveryResult result = Discover(new FakeVerbsPlatform { Devices = [Mlx5], LinkLayer = 1 });

        Assert.Equal(VerbsDiscoveryStatus.PortNotEthernet, result.Status);
        Assert.Equal("Port 1 of mlx5_0 is not an Ethernet port (link layer 1): raw packet queues need Ethernet.", result.Reason);
    }

    [Fact]
    public void Down_port_is_reported()
    {
        VerbsDiscoveryResult result = Discover(new FakeVerbsPlatform { Devices = [Mlx5], PortState = 1 });

        Assert.Equal(VerbsDiscoveryStatus.PortDown, result.Status);
        Assert.Equal("Port 1 of mlx5_0 is not active (state 1): its link is down.", result.Reason);
    }

    [Fact]
    public void Raw_packet_refusal_names_cap_net_raw()
    {
        VerbsDiscoveryResult result = Discover(new FakeVerbsPlatform { Devices = [Mlx5], RawPacketError = 1 });

        Assert.Equal(VerbsDiscoveryStatus.RawPacketNotPermitted, result.Status);
        Assert.Equal("Creating a RAW_PACKET queue pair on mlx5_0 was refused (EPERM): the process needs CAP_NET_RAW.", result.Reason);
    }

    [Fact]
    public void Available_port_runs_every_check_in_order()
    {
        var platform = new FakeVerbsPlatform { Devices = [Rxe, Mlx5] };

        VerbsDiscoveryResult result = Discover(platform);

        Assert.True(result.IsAvailable);
        Assert.Equal(["load", "list", "query mlx5_0 1", "raw mlx5_0 1"], platform.Calls);
    }
}
