/*
 * verbs_layout.c - prints the size and field offsets of every rdma-core struct that Junction mirrors in C#
 * (src/Junction.Core/Devices/Verbs/Interop and the mlx5 PRM segment offsets in Devices/Verbs/Mlx5Prm.cs).
 *
 * Built and run by tests/Junction.Core.Tests/Verbs/LayoutConformanceTests.cs against the installed headers
 * (libibverbs-dev); verbs_layout.x64.golden is this program's output on x86-64 with rdma-core 44, used where the
 * headers are absent. Output: one "name value" line each, "struct" for sizeof, "struct.field" for offsetof.
 */
#include <stddef.h>
#include <stdio.h>
#include <infiniband/verbs.h>
#include <infiniband/mlx5dv.h>

#define SIZE(t) printf("%s %zu\n", #t, sizeof(struct t))
#define OFF(t, f) printf("%s.%s %zu\n", #t, #f, offsetof(struct t, f))

int main(void)
{
	SIZE(ibv_device);
	OFF(ibv_device, node_type);
	OFF(ibv_device, transport_type);
	OFF(ibv_device, name);
	OFF(ibv_device, dev_name);
	OFF(ibv_device, dev_path);
	OFF(ibv_device, ibdev_path);

	SIZE(ibv_context_ops);
	OFF(ibv_context_ops, poll_cq);
	OFF(ibv_context_ops, req_notify_cq);
	OFF(ibv_context_ops, post_send);
	OFF(ibv_context_ops, post_recv);

	SIZE(ibv_context);
	OFF(ibv_context, device);
	OFF(ibv_context, ops);
	OFF(ibv_context, cmd_fd);
	OFF(ibv_context, async_fd);
	OFF(ibv_context, num_comp_vectors);
	OFF(ibv_context, mutex);
	OFF(ibv_context, abi_compat);

	SIZE(verbs_context);
	OFF(verbs_context, query_port);
	OFF(verbs_context, destroy_rwq_ind_table);
	OFF(verbs_context, create_rwq_ind_table);
	OFF(verbs_context, destroy_wq);
	OFF(verbs_context, modify_wq);
	OFF(verbs_context, create_wq);
	OFF(verbs_context, ibv_destroy_flow);
	OFF(verbs_context, ibv_create_flow);
	OFF(verbs_context, create_qp_ex);
	OFF(verbs_context, sz);
	OFF(verbs_context, context);

	SIZE(ibv_port_attr);
	OFF(ibv_port_attr, state);
	OFF(ibv_port_attr, active_mtu);
	OFF(ibv_port_attr, link_layer);
	OFF(ibv_port_attr, flags);
	OFF(ibv_port_attr, port_cap_flags2);

	SIZE(ibv_pd);
	OFF(ibv_pd, context);
	OFF(ibv_pd, handle);

	SIZE(ibv_mr);
	OFF(ibv_mr, addr);
	OFF(ibv_mr, length);
	OFF(ibv_mr, lkey);
	OFF(ibv_mr, rkey);

	SIZE(ibv_comp_channel);
	OFF(ibv_comp_channel, fd);

	SIZE(ibv_cq);
	OFF(ibv_cq, context);
	OFF(ibv_cq, channel);
	OFF(ibv_cq, cqe);
	OFF(ibv_cq, mutex);
	OFF(ibv_cq, cond);
	OFF(ibv_cq, comp_events_completed);

	SIZE(ibv_qp);
	OFF(ibv_qp, context);
	OFF(ibv_qp, qp_num);
	OFF(ibv_qp, state);
	OFF(ibv_qp, mutex);
	OFF(ibv_qp, cond);
	OFF(ibv_qp, events_completed);

	SIZE(ibv_wq);
	OFF(ibv_wq, context);
	OFF(ibv_wq, wq_context);
	OFF(ibv_wq, wq_num);
	OFF(ibv_wq, post_recv);
	OFF(ibv_wq, mutex);
	OFF(ibv_wq, cond);
	OFF(ibv_wq, events_completed);
	OFF(ibv_wq, comp_mask);

	SIZE(ibv_rwq_ind_table);
	OFF(ibv_rwq_ind_table, ind_tbl_num);

	SIZE(ibv_flow);
	OFF(ibv_flow, context);
	OFF(ibv_flow, handle);

	SIZE(ibv_qp_cap);
	OFF(ibv_qp_cap, max_inline_data);

	SIZE(ibv_qp_init_attr);
	OFF(ibv_qp_init_attr, send_cq);
	OFF(ibv_qp_init_attr, recv_cq);
	OFF(ibv_qp_init_attr, cap);
	OFF(ibv_qp_init_attr, qp_type);
	OFF(ibv_qp_init_attr, sq_sig_all);

	SIZE(ibv_rx_hash_conf);
	OFF(ibv_rx_hash_conf, rx_hash_key_len);
	OFF(ibv_rx_hash_conf, rx_hash_key);
	OFF(ibv_rx_hash_conf, rx_hash_fields_mask);

	SIZE(ibv_qp_init_attr_ex);
	OFF(ibv_qp_init_attr_ex, cap);
	OFF(ibv_qp_init_attr_ex, qp_type);
	OFF(ibv_qp_init_attr_ex, comp_mask);
	OFF(ibv_qp_init_attr_ex, pd);
	OFF(ibv_qp_init_attr_ex, create_flags);
	OFF(ibv_qp_init_attr_ex, max_tso_header);
	OFF(ibv_qp_init_attr_ex, rwq_ind_tbl);
	OFF(ibv_qp_init_attr_ex, rx_hash_conf);
	OFF(ibv_qp_init_attr_ex, source_qpn);
	OFF(ibv_qp_init_attr_ex, send_ops_flags);

	SIZE(ibv_qp_attr);
	OFF(ibv_qp_attr, qp_state);
	OFF(ibv_qp_attr, port_num);

	SIZE(ibv_wq_init_attr);
	OFF(ibv_wq_init_attr, wq_type);
	OFF(ibv_wq_init_attr, max_wr);
	OFF(ibv_wq_init_attr, max_sge);
	OFF(ibv_wq_init_attr, pd);
	OFF(ibv_wq_init_attr, cq);
	OFF(ibv_wq_init_attr, comp_mask);
	OFF(ibv_wq_init_attr, create_flags);

	SIZE(ibv_wq_attr);
	OFF(ibv_wq_attr, wq_state);
	OFF(ibv_wq_attr, flags_mask);

	SIZE(ibv_rwq_ind_table_init_attr);
	OFF(ibv_rwq_ind_table_init_attr, ind_tbl);
	OFF(ibv_rwq_ind_table_init_attr, comp_mask);

	SIZE(ibv_flow_attr);
	OFF(ibv_flow_attr, type);
	OFF(ibv_flow_attr, size);
	OFF(ibv_flow_attr, priority);
	OFF(ibv_flow_attr, num_of_specs);
	OFF(ibv_flow_attr, port);
	OFF(ibv_flow_attr, flags);

	SIZE(ibv_flow_eth_filter);
	OFF(ibv_flow_eth_filter, src_mac);
	OFF(ibv_flow_eth_filter, ether_type);
	OFF(ibv_flow_eth_filter, vlan_tag);

	SIZE(ibv_flow_spec_eth);
	OFF(ibv_flow_spec_eth, size);
	OFF(ibv_flow_spec_eth, val);
	OFF(ibv_flow_spec_eth, mask);

	SIZE(ibv_flow_ipv4_filter);
	OFF(ibv_flow_ipv4_filter, dst_ip);

	SIZE(ibv_flow_spec_ipv4);
	OFF(ibv_flow_spec_ipv4, size);
	OFF(ibv_flow_spec_ipv4, val);
	OFF(ibv_flow_spec_ipv4, mask);

	SIZE(mlx5dv_qp);
	OFF(mlx5dv_qp, dbrec);
	OFF(mlx5dv_qp, sq.buf);
	OFF(mlx5dv_qp, sq.wqe_cnt);
	OFF(mlx5dv_qp, sq.stride);
	OFF(mlx5dv_qp, rq.buf);
	OFF(mlx5dv_qp, bf.reg);
	OFF(mlx5dv_qp, bf.size);
	OFF(mlx5dv_qp, comp_mask);
	OFF(mlx5dv_qp, uar_mmap_offset);
	OFF(mlx5dv_qp, tirn);
	OFF(mlx5dv_qp, sqn);
	OFF(mlx5dv_qp, tir_icm_addr);

	SIZE(mlx5dv_cq);
	OFF(mlx5dv_cq, dbrec);
	OFF(mlx5dv_cq, cqe_cnt);
	OFF(mlx5dv_cq, cqe_size);
	OFF(mlx5dv_cq, cq_uar);
	OFF(mlx5dv_cq, cqn);
	OFF(mlx5dv_cq, comp_mask);

	SIZE(mlx5dv_rwq);
	OFF(mlx5dv_rwq, dbrec);
	OFF(mlx5dv_rwq, wqe_cnt);
	OFF(mlx5dv_rwq, stride);
	OFF(mlx5dv_rwq, comp_mask);

	SIZE(mlx5dv_obj);
	OFF(mlx5dv_obj, qp.out);
	OFF(mlx5dv_obj, cq.in);
	OFF(mlx5dv_obj, cq.out);
	OFF(mlx5dv_obj, rwq.in);
	OFF(mlx5dv_obj, rwq.out);
	OFF(mlx5dv_obj, pd.out);

	SIZE(mlx5dv_striding_rq_caps);
	OFF(mlx5dv_striding_rq_caps, max_single_wqe_log_num_of_strides);
	OFF(mlx5dv_striding_rq_caps, supported_qpts);

	/* sizeof(struct mlx5dv_context) grows between releases; only the mirrored head is checked. */
	OFF(mlx5dv_context, flags);
	OFF(mlx5dv_context, comp_mask);
	OFF(mlx5dv_context, cqe_comp_caps);
	OFF(mlx5dv_context, sw_parsing_caps);
	OFF(mlx5dv_context, striding_rq_caps);
	OFF(mlx5dv_context, tunnel_offloads_caps);

	SIZE(mlx5dv_striding_rq_init_attr);
	OFF(mlx5dv_striding_rq_init_attr, single_wqe_log_num_of_strides);
	OFF(mlx5dv_striding_rq_init_attr, two_byte_shift_en);

	SIZE(mlx5dv_wq_init_attr);
	OFF(mlx5dv_wq_init_attr, striding_rq_attrs);

	/* mlx5 PRM formats the ring code reads and writes as bytes. */
	SIZE(mlx5_cqe64);
	OFF(mlx5_cqe64, wqe_id);
	OFF(mlx5_cqe64, hds_ip_ext);
	OFF(mlx5_cqe64, l4_hdr_type_etc);
	OFF(mlx5_cqe64, vlan_info);
	OFF(mlx5_cqe64, byte_cnt);
	OFF(mlx5_cqe64, timestamp);
	OFF(mlx5_cqe64, sop_drop_qpn);
	OFF(mlx5_cqe64, wqe_counter);
	OFF(mlx5_cqe64, op_own);

	SIZE(mlx5_err_cqe);
	OFF(mlx5_err_cqe, vendor_err_synd);
	OFF(mlx5_err_cqe, syndrome);
	OFF(mlx5_err_cqe, wqe_counter);

	SIZE(mlx5_wqe_ctrl_seg);
	OFF(mlx5_wqe_ctrl_seg, opmod_idx_opcode);
	OFF(mlx5_wqe_ctrl_seg, qpn_ds);
	OFF(mlx5_wqe_ctrl_seg, signature);
	OFF(mlx5_wqe_ctrl_seg, fm_ce_se);
	OFF(mlx5_wqe_ctrl_seg, imm);

	SIZE(mlx5_wqe_eth_seg);
	OFF(mlx5_wqe_eth_seg, cs_flags);
	OFF(mlx5_wqe_eth_seg, mss);
	OFF(mlx5_wqe_eth_seg, inline_hdr_sz);
	OFF(mlx5_wqe_eth_seg, inline_hdr_start);
	OFF(mlx5_wqe_eth_seg, inline_hdr);

	SIZE(mlx5_wqe_data_seg);
	OFF(mlx5_wqe_data_seg, byte_count);
	OFF(mlx5_wqe_data_seg, lkey);
	OFF(mlx5_wqe_data_seg, addr);

	SIZE(mlx5_wqe_srq_next_seg);
	OFF(mlx5_wqe_srq_next_seg, next_wqe_index);

	SIZE(mlx5_mprq_wqe);
	OFF(mlx5_mprq_wqe, dseg);
	return 0;
}
