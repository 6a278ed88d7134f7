#!/bin/bash
# The Linux configuration these scripts were written for (packetdrill's production defaults, with the loss
# recovery extensions — tail loss probes, RACK, F-RTO — turned off, so that segment timing is the classic one).
sysctl -q net.ipv4.tcp_rmem="4096 540000 15728640"
sysctl -q net.ipv4.tcp_wmem="4096 262144 4194304"
sysctl -q net.ipv4.tcp_timestamps=1
sysctl -q net.ipv4.tcp_sack=1
sysctl -q net.ipv4.tcp_window_scaling=1
sysctl -q net.ipv4.tcp_syn_retries=5
sysctl -q net.ipv4.tcp_synack_retries=5
sysctl -q net.ipv4.tcp_congestion_control=cubic
sysctl -q net.ipv4.tcp_early_retrans=0 net.ipv4.tcp_recovery=0 net.ipv4.tcp_frto=0
sysctl -q net.ipv4.tcp_ecn=0
sysctl -q net.ipv4.tcp_syncookies=1
