using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Junction.Devices.Verbs;
using Junction.Devices.Verbs.Interop;

namespace Junction.Tests.Verbs;

/// <summary>The managed side of every line verbs_layout.c prints, keyed the same way ("struct" or "struct.field").</summary>
internal static class ManagedLayouts
{
    private static long O<T>(string field) => (long)Marshal.OffsetOf<T>(field);

    private static long S<T>() => Unsafe.SizeOf<T>();

    public static Dictionary<string, long> Build() => new()
    {
        ["ibv_device"] = S<IbvDevice>(),
        ["ibv_device.node_type"] = O<IbvDevice>(nameof(IbvDevice.NodeType)),
        ["ibv_device.transport_type"] = O<IbvDevice>(nameof(IbvDevice.TransportType)),
        ["ibv_device.name"] = O<IbvDevice>(nameof(IbvDevice.Name)),
        ["ibv_device.dev_name"] = O<IbvDevice>(nameof(IbvDevice.DevName)),
        ["ibv_device.dev_path"] = O<IbvDevice>(nameof(IbvDevice.DevPath)),
        ["ibv_device.ibdev_path"] = O<IbvDevice>(nameof(IbvDevice.IbdevPath)),

        ["ibv_context_ops"] = S<IbvContextOps>(),
        ["ibv_context_ops.poll_cq"] = O<IbvContextOps>(nameof(IbvContextOps.PollCq)),
        ["ibv_context_ops.req_notify_cq"] = O<IbvContextOps>(nameof(IbvContextOps.ReqNotifyCq)),
        ["ibv_context_ops.post_send"] = O<IbvContextOps>(nameof(IbvContextOps.PostSend)),
        ["ibv_context_ops.post_recv"] = O<IbvContextOps>(nameof(IbvContextOps.PostRecv)),

        ["ibv_context"] = S<IbvContext>(),
        ["ibv_context.device"] = O<IbvContext>(nameof(IbvContext.Device)),
        ["ibv_context.ops"] = O<IbvContext>(nameof(IbvContext.Ops)),
        ["ibv_context.cmd_fd"] = O<IbvContext>(nameof(IbvContext.CmdFd)),
        ["ibv_context.async_fd"] = O<IbvContext>(nameof(IbvContext.AsyncFd)),
        ["ibv_context.num_comp_vectors"] = O<IbvContext>(nameof(IbvContext.NumCompVectors)),
        ["ibv_context.mutex"] = O<IbvContext>(nameof(IbvContext.Mutex)),
        ["ibv_context.abi_compat"] = O<IbvContext>(nameof(IbvContext.AbiCompat)),

        ["verbs_context"] = S<VerbsContext>(),
        ["verbs_context.query_port"] = O<VerbsContext>(nameof(VerbsContext.QueryPort)),
        ["verbs_context.destroy_rwq_ind_table"] = O<VerbsContext>(nameof(VerbsContext.DestroyRwqIndTable)),
        ["verbs_context.create_rwq_ind_table"] = O<VerbsContext>(nameof(VerbsContext.CreateRwqIndTable)),
        ["verbs_context.destroy_wq"] = O<VerbsContext>(nameof(VerbsContext.DestroyWq)),
        ["verbs_context.modify_wq"] = O<VerbsContext>(nameof(VerbsContext.ModifyWq)),
        ["verbs_context.create_wq"] = O<VerbsContext>(nameof(VerbsContext.CreateWq)),
        ["verbs_context.ibv_destroy_flow"] = O<VerbsContext>(nameof(VerbsContext.DestroyFlow)),
        ["verbs_context.ibv_create_flow"] = O<VerbsContext>(nameof(VerbsContext.CreateFlow)),
        ["verbs_context.create_qp_ex"] = O<VerbsContext>(nameof(VerbsContext.CreateQpEx)),
        ["verbs_context.sz"] = O<VerbsContext>(nameof(VerbsContext.Size)),
        ["verbs_context.context"] = O<VerbsContext>(nameof(VerbsContext.Context)),

        ["ibv_port_attr"] = S<IbvPortAttr>(),
        ["ibv_port_attr.state"] = O<IbvPortAttr>(nameof(IbvPortAttr.State)),
        ["ibv_port_attr.active_mtu"] = O<IbvPortAttr>(nameof(IbvPortAttr.ActiveMtu)),
        ["ibv_port_attr.link_layer"] = O<IbvPortAttr>(nameof(IbvPortAttr.LinkLayer)),
        ["ibv_port_attr.flags"] = O<IbvPortAttr>(nameof(IbvPortAttr.Flags)),
        ["ibv_port_attr.port_cap_flags2"] = O<IbvPortAttr>(nameof(IbvPortAttr.PortCapFlags2)),

        ["ibv_pd"] = S<IbvPd>(),
        ["ibv_pd.context"] = O<IbvPd>(nameof(IbvPd.Context)),
        ["ibv_pd.handle"] = O<IbvPd>(nameof(IbvPd.Handle)),

        ["ibv_mr"] = S<IbvMr>(),
        ["ibv_mr.addr"] = O<IbvMr>(nameof(IbvMr.Addr)),
        ["ibv_mr.length"] = O<IbvMr>(nameof(IbvMr.Length)),
        ["ibv_mr.lkey"] = O<IbvMr>(nameof(IbvMr.Lkey)),
        ["ibv_mr.rkey"] = O<IbvMr>(nameof(IbvMr.Rkey)),

        ["ibv_comp_channel"] = S<IbvCompChannel>(),
        ["ibv_comp_channel.fd"] = O<IbvCompChannel>(nameof(IbvCompChannel.Fd)),

        ["ibv_cq"] = S<IbvCq>(),
        ["ibv_cq.context"] = O<IbvCq>(nameof(IbvCq.Context)),
        ["ibv_cq.channel"] = O<IbvCq>(nameof(IbvCq.Channel)),
        ["ibv_cq.cqe"] = O<IbvCq>(nameof(IbvCq.Cqe)),
        ["ibv_cq.mutex"] = O<IbvCq>(nameof(IbvCq.Mutex)),
        ["ibv_cq.cond"] = O<IbvCq>(nameof(IbvCq.Cond)),
        ["ibv_cq.comp_events_completed"] = O<IbvCq>(nameof(IbvCq.CompEventsCompleted)),

        ["ibv_qp"] = S<IbvQp>(),
        ["ibv_qp.context"] = O<IbvQp>(nameof(IbvQp.Context)),
        ["ibv_qp.qp_num"] = O<IbvQp>(nameof(IbvQp.QpNum)),
        ["ibv_qp.state"] = O<IbvQp>(nameof(IbvQp.State)),
        ["ibv_qp.mutex"] = O<IbvQp>(nameof(IbvQp.Mutex)),
        ["ibv_qp.cond"] = O<IbvQp>(nameof(IbvQp.Cond)),
        ["ibv_qp.events_completed"] = O<IbvQp>(nameof(IbvQp.EventsCompleted)),

        ["ibv_wq"] = S<IbvWq>(),
        ["ibv_wq.context"] = O<IbvWq>(nameof(IbvWq.Context)),
        ["ibv_wq.wq_context"] = O<IbvWq>(nameof(IbvWq.WqContext)),
        ["ibv_wq.wq_num"] = O<IbvWq>(nameof(IbvWq.WqNum)),
        ["ibv_wq.post_recv"] = O<IbvWq>(nameof(IbvWq.PostRecv)),
        ["ibv_wq.mutex"] = O<IbvWq>(nameof(IbvWq.Mutex)),
        ["ibv_wq.cond"] = O<IbvWq>(nameof(IbvWq.Cond)),
        ["ibv_wq.events_completed"] = O<IbvWq>(nameof(IbvWq.EventsCompleted)),
        ["ibv_wq.comp_mask"] = O<IbvWq>(nameof(IbvWq.CompMask)),

        ["ibv_rwq_ind_table"] = S<IbvRwqIndTable>(),
        ["ibv_rwq_ind_table.ind_tbl_num"] = O<IbvRwqIndTable>(nameof(IbvRwqIndTable.IndTblNum)),

        ["ibv_flow"] = S<IbvFlow>(),
        ["ibv_flow.context"] = O<IbvFlow>(nameof(IbvFlow.Context)),
        ["ibv_flow.handle"] = O<IbvFlow>(nameof(IbvFlow.Handle)),

        ["ibv_qp_cap"] = S<IbvQpCap>(),
        ["ibv_qp_cap.max_inline_data"] = O<IbvQpCap>(nameof(IbvQpCap.MaxInlineData)),

        ["ibv_qp_init_attr"] = S<IbvQpInitAttr>(),
        ["ibv_qp_init_attr.send_cq"] = O<IbvQpInitAttr>(nameof(IbvQpInitAttr.SendCq)),
        ["ibv_qp_init_attr.recv_cq"] = O<IbvQpInitAttr>(nameof(IbvQpInitAttr.RecvCq)),
        ["ibv_qp_init_attr.cap"] = O<IbvQpInitAttr>(nameof(IbvQpInitAttr.Cap)),
        ["ibv_qp_init_attr.qp_type"] = O<IbvQpInitAttr>(nameof(IbvQpInitAttr.QpType)),
        ["ibv_qp_init_attr.sq_sig_all"] = O<IbvQpInitAttr>(nameof(IbvQpInitAttr.SqSigAll)),

        ["ibv_rx_hash_conf"] = S<IbvRxHashConf>(),
        ["ibv_rx_hash_conf.rx_hash_key_len"] = O<IbvRxHashConf>(nameof(IbvRxHashConf.RxHashKeyLen)),
        ["ibv_rx_hash_conf.rx_hash_key"] = O<IbvRxHashConf>(nameof(IbvRxHashConf.RxHashKey)),
        ["ibv_rx_hash_conf.rx_hash_fields_mask"] = O<IbvRxHashConf>(nameof(IbvRxHashConf.RxHashFieldsMask)),

        ["ibv_qp_init_attr_ex"] = S<IbvQpInitAttrEx>(),
        ["ibv_qp_init_attr_ex.cap"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.Cap)),
        ["ibv_qp_init_attr_ex.qp_type"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.QpType)),
        ["ibv_qp_init_attr_ex.comp_mask"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.CompMask)),
        ["ibv_qp_init_attr_ex.pd"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.Pd)),
        ["ibv_qp_init_attr_ex.create_flags"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.CreateFlags)),
        ["ibv_qp_init_attr_ex.max_tso_header"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.MaxTsoHeader)),
        ["ibv_qp_init_attr_ex.rwq_ind_tbl"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.RwqIndTbl)),
        ["ibv_qp_init_attr_ex.rx_hash_conf"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.RxHashConf)),
        ["ibv_qp_init_attr_ex.source_qpn"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.SourceQpn)),
        ["ibv_qp_init_attr_ex.send_ops_flags"] = O<IbvQpInitAttrEx>(nameof(IbvQpInitAttrEx.SendOpsFlags)),

        ["ibv_qp_attr"] = S<IbvQpAttr>(),
        ["ibv_qp_attr.qp_state"] = O<IbvQpAttr>(nameof(IbvQpAttr.QpState)),
        ["ibv_qp_attr.port_num"] = O<IbvQpAttr>(nameof(IbvQpAttr.PortNum)),

        ["ibv_wq_init_attr"] = S<IbvWqInitAttr>(),
        ["ibv_wq_init_attr.wq_type"] = O<IbvWqInitAttr>(nameof(IbvWqInitAttr.WqType)),
        ["ibv_wq_init_attr.max_wr"] = O<IbvWqInitAttr>(nameof(IbvWqInitAttr.MaxWr)),
        ["ibv_wq_init_attr.max_sge"] = O<IbvWqInitAttr>(nameof(IbvWqInitAttr.MaxSge)),
        ["ibv_wq_init_attr.pd"] = O<IbvWqInitAttr>(nameof(IbvWqInitAttr.Pd)),
        ["ibv_wq_init_attr.cq"] = O<IbvWqInitAttr>(nameof(IbvWqInitAttr.Cq)),
        ["ibv_wq_init_attr.comp_mask"] = O<IbvWqInitAttr>(nameof(IbvWqInitAttr.CompMask)),
        ["ibv_wq_init_attr.create_flags"] = O<IbvWqInitAttr>(nameof(IbvWqInitAttr.CreateFlags)),

        ["ibv_wq_attr"] = S<IbvWqAttr>(),
        ["ibv_wq_attr.wq_state"] = O<IbvWqAttr>(nameof(IbvWqAttr.WqState)),
        ["ibv_wq_attr.flags_mask"] = O<IbvWqAttr>(nameof(IbvWqAttr.FlagsMask)),

        ["ibv_rwq_ind_table_init_attr"] = S<IbvRwqIndTableInitAttr>(),
        ["ibv_rwq_ind_table_init_attr.ind_tbl"] = O<IbvRwqIndTableInitAttr>(nameof(IbvRwqIndTableInitAttr.IndTbl)),
        ["ibv_rwq_ind_table_init_attr.comp_mask"] = O<IbvRwqIndTableInitAttr>(nameof(IbvRwqIndTableInitAttr.CompMask)),

        ["ibv_flow_attr"] = S<IbvFlowAttr>(),
        ["ibv_flow_attr.type"] = O<IbvFlowAttr>(nameof(IbvFlowAttr.Type)),
        ["ibv_flow_attr.size"] = O<IbvFlowAttr>(nameof(IbvFlowAttr.Size)),
        ["ibv_flow_attr.priority"] = O<IbvFlowAttr>(nameof(IbvFlowAttr.Priority)),
        ["ibv_flow_attr.num_of_specs"] = O<IbvFlowAttr>(nameof(IbvFlowAttr.NumOfSpecs)),
        ["ibv_flow_attr.port"] = O<IbvFlowAttr>(nameof(IbvFlowAttr.Port)),
        ["ibv_flow_attr.flags"] = O<IbvFlowAttr>(nameof(IbvFlowAttr.Flags)),

        ["ibv_flow_eth_filter"] = S<IbvFlowEthFilter>(),
        ["ibv_flow_eth_filter.src_mac"] = O<IbvFlowEthFilter>(nameof(IbvFlowEthFilter.SrcMac)),
        ["ibv_flow_eth_filter.ether_type"] = O<IbvFlowEthFilter>(nameof(IbvFlowEthFilter.EtherType)),
        ["ibv_flow_eth_filter.vlan_tag"] = O<IbvFlowEthFilter>(nameof(IbvFlowEthFilter.VlanTag)),

        ["ibv_flow_spec_eth"] = S<IbvFlowSpecEth>(),
        ["ibv_flow_spec_eth.size"] = O<IbvFlowSpecEth>(nameof(IbvFlowSpecEth.Size)),
        ["ibv_flow_spec_eth.val"] = O<IbvFlowSpecEth>(nameof(IbvFlowSpecEth.Val)),
        ["ibv_flow_spec_eth.mask"] = O<IbvFlowSpecEth>(nameof(IbvFlowSpecEth.Mask)),

        ["ibv_flow_ipv4_filter"] = S<IbvFlowIpv4Filter>(),
        ["ibv_flow_ipv4_filter.dst_ip"] = O<IbvFlowIpv4Filter>(nameof(IbvFlowIpv4Filter.DstIp)),

        ["ibv_flow_spec_ipv4"] = S<IbvFlowSpecIpv4>(),
        ["ibv_flow_spec_ipv4.size"] = O<IbvFlowSpecIpv4>(nameof(IbvFlowSpecIpv4.Size)),
        ["ibv_flow_spec_ipv4.val"] = O<IbvFlowSpecIpv4>(nameof(IbvFlowSpecIpv4.Val)),
        ["ibv_flow_spec_ipv4.mask"] = O<IbvFlowSpecIpv4>(nameof(IbvFlowSpecIpv4.Mask)),

        ["mlx5dv_qp"] = S<Mlx5DvQp>(),
        ["mlx5dv_qp.dbrec"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.Dbrec)),
        ["mlx5dv_qp.sq.buf"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.SqBuf)),
        ["mlx5dv_qp.sq.wqe_cnt"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.SqWqeCnt)),
        ["mlx5dv_qp.sq.stride"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.SqStride)),
        ["mlx5dv_qp.rq.buf"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.RqBuf)),
        ["mlx5dv_qp.bf.reg"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.BfReg)),
        ["mlx5dv_qp.bf.size"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.BfSize)),
        ["mlx5dv_qp.comp_mask"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.CompMask)),
        ["mlx5dv_qp.uar_mmap_offset"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.UarMmapOffset)),
        ["mlx5dv_qp.tirn"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.Tirn)),
        ["mlx5dv_qp.sqn"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.Sqn)),
        ["mlx5dv_qp.tir_icm_addr"] = O<Mlx5DvQp>(nameof(Mlx5DvQp.TirIcmAddr)),

        ["mlx5dv_cq"] = S<Mlx5DvCq>(),
        ["mlx5dv_cq.dbrec"] = O<Mlx5DvCq>(nameof(Mlx5DvCq.Dbrec)),
        ["mlx5dv_cq.cqe_cnt"] = O<Mlx5DvCq>(nameof(Mlx5DvCq.CqeCnt)),
        ["mlx5dv_cq.cqe_size"] = O<Mlx5DvCq>(nameof(Mlx5DvCq.CqeSize)),
        ["mlx5dv_cq.cq_uar"] = O<Mlx5DvCq>(nameof(Mlx5DvCq.CqUar)),
        ["mlx5dv_cq.cqn"] = O<Mlx5DvCq>(nameof(Mlx5DvCq.Cqn)),
        ["mlx5dv_cq.comp_mask"] = O<Mlx5DvCq>(nameof(Mlx5DvCq.CompMask)),

        ["mlx5dv_rwq"] = S<Mlx5DvRwq>(),
        ["mlx5dv_rwq.dbrec"] = O<Mlx5DvRwq>(nameof(Mlx5DvRwq.Dbrec)),
        ["mlx5dv_rwq.wqe_cnt"] = O<Mlx5DvRwq>(nameof(Mlx5DvRwq.WqeCnt)),
        ["mlx5dv_rwq.stride"] = O<Mlx5DvRwq>(nameof(Mlx5DvRwq.Stride)),
        ["mlx5dv_rwq.comp_mask"] = O<Mlx5DvRwq>(nameof(Mlx5DvRwq.CompMask)),

        ["mlx5dv_obj"] = S<Mlx5DvObj>(),
        ["mlx5dv_obj.qp.out"] = O<Mlx5DvObj>(nameof(Mlx5DvObj.QpOut)),
        ["mlx5dv_obj.cq.in"] = O<Mlx5DvObj>(nameof(Mlx5DvObj.CqIn)),
        ["mlx5dv_obj.cq.out"] = O<Mlx5DvObj>(nameof(Mlx5DvObj.CqOut)),
        ["mlx5dv_obj.rwq.in"] = O<Mlx5DvObj>(nameof(Mlx5DvObj.RwqIn)),
        ["mlx5dv_obj.rwq.out"] = O<Mlx5DvObj>(nameof(Mlx5DvObj.RwqOut)),
        ["mlx5dv_obj.pd.out"] = O<Mlx5DvObj>(nameof(Mlx5DvObj.PdOut)),

        ["mlx5dv_striding_rq_caps"] = S<Mlx5DvStridingRqCaps>(),
        ["mlx5dv_striding_rq_caps.max_single_wqe_log_num_of_strides"] = O<Mlx5DvStridingRqCaps>(nameof(Mlx5DvStridingRqCaps.MaxSingleWqeLogNumOfStrides)),
        ["mlx5dv_striding_rq_caps.supported_qpts"] = O<Mlx5DvStridingRqCaps>(nameof(Mlx5DvStridingRqCaps.SupportedQpts)),

        ["mlx5dv_context.flags"] = O<Mlx5DvContext>(nameof(Mlx5DvContext.Flags)),
        ["mlx5dv_context.comp_mask"] = O<Mlx5DvContext>(nameof(Mlx5DvContext.CompMask)),
        ["mlx5dv_context.cqe_comp_caps"] = O<Mlx5DvContext>(nameof(Mlx5DvContext.CqeCompMaxNum)),
        ["mlx5dv_context.sw_parsing_caps"] = O<Mlx5DvContext>(nameof(Mlx5DvContext.SwParsingOffloads)),
        ["mlx5dv_context.striding_rq_caps"] = O<Mlx5DvContext>(nameof(Mlx5DvContext.StridingRqCaps)),
        ["mlx5dv_context.tunnel_offloads_caps"] = O<Mlx5DvContext>(nameof(Mlx5DvContext.StridingRqCaps)) + S<Mlx5DvStridingRqCaps>(),

        ["mlx5dv_striding_rq_init_attr"] = S<Mlx5DvStridingRqInitAttr>(),
        ["mlx5dv_striding_rq_init_attr.single_wqe_log_num_of_strides"] = O<Mlx5DvStridingRqInitAttr>(nameof(Mlx5DvStridingRqInitAttr.SingleWqeLogNumOfStrides)),
        ["mlx5dv_striding_rq_init_attr.two_byte_shift_en"] = O<Mlx5DvStridingRqInitAttr>(nameof(Mlx5DvStridingRqInitAttr.TwoByteShiftEn)),

        ["mlx5dv_wq_init_attr"] = S<Mlx5DvWqInitAttr>(),
        ["mlx5dv_wq_init_attr.striding_rq_attrs"] = O<Mlx5DvWqInitAttr>(nameof(Mlx5DvWqInitAttr.StridingRqAttrs)),

        ["mlx5_cqe64"] = Mlx5Prm.CqeSize,
        ["mlx5_cqe64.wqe_id"] = Mlx5Prm.CqeWqeIdOffset,
        ["mlx5_cqe64.hds_ip_ext"] = Mlx5Prm.CqeHdsIpExtOffset,
        ["mlx5_cqe64.l4_hdr_type_etc"] = Mlx5Prm.CqeL4HdrTypeOffset,
        ["mlx5_cqe64.vlan_info"] = Mlx5Prm.CqeVlanInfoOffset,
        ["mlx5_cqe64.byte_cnt"] = Mlx5Prm.CqeByteCountOffset,
        ["mlx5_cqe64.timestamp"] = Mlx5Prm.CqeTimestampOffset,
        ["mlx5_cqe64.sop_drop_qpn"] = Mlx5Prm.CqeSopDropQpnOffset,
        ["mlx5_cqe64.wqe_counter"] = Mlx5Prm.CqeWqeCounterOffset,
        ["mlx5_cqe64.op_own"] = Mlx5Prm.CqeOpOwnOffset,

        ["mlx5_err_cqe"] = Mlx5Prm.CqeSize,
        ["mlx5_err_cqe.vendor_err_synd"] = Mlx5Prm.ErrCqeVendorSyndromeOffset,
        ["mlx5_err_cqe.syndrome"] = Mlx5Prm.ErrCqeSyndromeOffset,
        ["mlx5_err_cqe.wqe_counter"] = Mlx5Prm.CqeWqeCounterOffset,

        ["mlx5_wqe_ctrl_seg"] = Mlx5Prm.CtrlSegSize,
        ["mlx5_wqe_ctrl_seg.opmod_idx_opcode"] = Mlx5Prm.CtrlOpmodIdxOpcodeOffset,
        ["mlx5_wqe_ctrl_seg.qpn_ds"] = Mlx5Prm.CtrlQpnDsOffset,
        ["mlx5_wqe_ctrl_seg.signature"] = Mlx5Prm.CtrlSignatureOffset,
        ["mlx5_wqe_ctrl_seg.fm_ce_se"] = Mlx5Prm.CtrlFmCeSeOffset,
        ["mlx5_wqe_ctrl_seg.imm"] = Mlx5Prm.CtrlImmOffset,

        ["mlx5_wqe_eth_seg"] = Mlx5Prm.EthSegSize,
        ["mlx5_wqe_eth_seg.cs_flags"] = Mlx5Prm.EthCsFlagsOffset,
        ["mlx5_wqe_eth_seg.mss"] = Mlx5Prm.EthMssOffset,
        ["mlx5_wqe_eth_seg.inline_hdr_sz"] = Mlx5Prm.EthInlineHdrSzOffset,
        ["mlx5_wqe_eth_seg.inline_hdr_start"] = Mlx5Prm.EthInlineHdrStartOffset,
        ["mlx5_wqe_eth_seg.inline_hdr"] = Mlx5Prm.EthInlineHdrOffset,

        ["mlx5_wqe_data_seg"] = Mlx5Prm.DataSegSize,
        ["mlx5_wqe_data_seg.byte_count"] = Mlx5Prm.DataByteCountOffset,
        ["mlx5_wqe_data_seg.lkey"] = Mlx5Prm.DataLkeyOffset,
        ["mlx5_wqe_data_seg.addr"] = Mlx5Prm.DataAddrOffset,

        ["mlx5_wqe_srq_next_seg"] = Mlx5Prm.NextSegSize,
        ["mlx5_wqe_srq_next_seg.next_wqe_index"] = Mlx5Prm.NextWqeIndexOffset,

        ["mlx5_mprq_wqe"] = Mlx5Prm.MprqWqeSize,
        ["mlx5_mprq_wqe.dseg"] = Mlx5Prm.MprqDataSegOffset,
    };
}
