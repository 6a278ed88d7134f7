using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary>
/// The verbs that verbs.h defines as inline functions (so libibverbs exports no symbol for them), called the way
/// those inlines call them: through the provider's <c>struct verbs_context</c> table, after the same checks —
/// the context is extended (<c>abi_compat</c>), the table reaches the entry (<c>sz</c>), the entry is set — and
/// with the same fallbacks and errors (<c>EOPNOTSUPP</c>) when it is not.
/// </summary>
/// <remarks>
/// Chosen over a C shim: no native build or per-platform binary to ship for a handful of set-up calls, and the
/// layout it relies on (an ABI rdma-core keeps stable) is checked against the headers by the layout probe.
/// The data path does not use verbs at all: it drives the mlx5 rings directly.
/// </remarks>
internal static unsafe class VerbsOps
{
    /// <summary><c>EOPNOTSUPP</c> on Linux.</summary>
    public const int EOpNotSupp = 95;

    private static VerbsContext* GetExtended(IbvContext* context) =>
        context->AbiCompat == IbvContext.AbiIsExtended ? (VerbsContext*)((byte*)context - VerbsContext.ContextOffset) : null;

    /// <summary>The entry at <paramref name="offset"/> of the extended table, or 0 where the library lacks it (<c>verbs_get_ctx_op</c>).</summary>
    internal static nint GetOp(IbvContext* context, int offset)
    {
        VerbsContext* extended = GetExtended(context);
        if (extended == null || extended->Size < (nuint)(VerbsContext.CSize - offset)) return 0;
        return *(nint*)((byte*)extended + offset);
    }

    /// <summary><c>ibv_query_port</c>: the extended entry with the caller's struct size, else the compat export.</summary>
    public static int QueryPort(IbvContext* context, byte port, IbvPortAttr* attr)
    {
        nint op = GetOp(context, (int)Marshal.OffsetOf<VerbsContext>(nameof(VerbsContext.QueryPort)));
        if (op == 0)
        {
            *attr = default;
            return LibIbverbs.QueryPortCompat(context, port, attr);
        }
        return ((delegate* unmanaged<IbvContext*, byte, IbvPortAttr*, nuint, int>)op)(context, port, attr, (nuint)sizeof(IbvPortAttr));
    }

    /// <summary><c>ibv_create_qp_ex</c>: a PD-only request goes to <c>ibv_create_qp</c>, as the inline does.</summary>
    public static IbvQp* CreateQpEx(IbvContext* context, IbvQpInitAttrEx* attr, out int error)
    {
        error = 0;
        if (attr->CompMask == IbvQpConstants.InitAttrPd)
        {
            IbvQp* plain = LibIbverbs.CreateQp((IbvPd*)attr->Pd, (IbvQpInitAttr*)attr);
            if (plain == null) error = Marshal.GetLastPInvokeError();
            return plain;
        }
        nint op = GetOp(context, (int)Marshal.OffsetOf<VerbsContext>(nameof(VerbsContext.CreateQpEx)));
        if (op == 0)
        {
            error = EOpNotSupp;
            return null;
        }
        IbvQp* qp = ((delegate* unmanaged<IbvContext*, IbvQpInitAttrEx*, IbvQp*>)op)(context, attr);
        if (qp == null) error = Marshal.GetLastSystemError();
        return qp;
    }

    /// <summary><c>ibv_create_flow</c>.</summary>
    public static IbvFlow* CreateFlow(IbvQp* qp, IbvFlowAttr* attr, out int error)
    {
        error = 0;
        nint op = GetOp((IbvContext*)qp->Context, (int)Marshal.OffsetOf<VerbsContext>(nameof(VerbsContext.CreateFlow)));
        if (op == 0)
        {
            error = EOpNotSupp;
            return null;
        }
        IbvFlow* flow = ((delegate* unmanaged<IbvQp*, IbvFlowAttr*, IbvFlow*>)op)(qp, attr);
        if (flow == null) error = Marshal.GetLastSystemError();
        return flow;
    }

    /// <summary><c>ibv_destroy_flow</c>.</summary>
    public static int DestroyFlow(IbvFlow* flow)
    {
        nint op = GetOp((IbvContext*)flow->Context, (int)Marshal.OffsetOf<VerbsContext>(nameof(VerbsContext.DestroyFlow)));
        return op == 0 ? EOpNotSupp : ((delegate* unmanaged<IbvFlow*, int>)op)(flow);
    }

    /// <summary>What <c>ibv_create_wq</c> does to a new work queue after the provider made it.</summary>
    public static void InitializeWq(IbvWq* wq, nint wqContext)
    {
        wq->WqContext = wqContext;
        wq->EventsCompleted = 0;
        // glibc initialisation with default attributes cannot fail; the inline ignores the results too.
        _ = LibPthread.MutexInit(&wq->Mutex, 0);
        _ = LibPthread.CondInit(&wq->Cond, 0);
    }

    /// <summary><c>ibv_modify_wq</c>.</summary>
    public static int ModifyWq(IbvWq* wq, IbvWqAttr* attr)
    {
        nint op = GetOp((IbvContext*)wq->Context, (int)Marshal.OffsetOf<VerbsContext>(nameof(VerbsContext.ModifyWq)));
        return op == 0 ? EOpNotSupp : ((delegate* unmanaged<IbvWq*, IbvWqAttr*, int>)op)(wq, attr);
    }

    /// <summary><c>ibv_destroy_wq</c>.</summary>
    public static int DestroyWq(IbvWq* wq)
    {
        nint op = GetOp((IbvContext*)wq->Context, (int)Marshal.OffsetOf<VerbsContext>(nameof(VerbsContext.DestroyWq)));
        return op == 0 ? EOpNotSupp : ((delegate* unmanaged<IbvWq*, int>)op)(wq);
    }

    /// <summary><c>ibv_create_rwq_ind_table</c>.</summary>
    public static IbvRwqIndTable* CreateRwqIndTable(IbvContext* context, IbvRwqIndTableInitAttr* attr, out int error)
    {
        error = 0;
        nint op = GetOp(context, (int)Marshal.OffsetOf<VerbsContext>(nameof(VerbsContext.CreateRwqIndTable)));
        if (op == 0)
        {
            error = EOpNotSupp;
            return null;
        }
        IbvRwqIndTable* table = ((delegate* unmanaged<IbvContext*, IbvRwqIndTableInitAttr*, IbvRwqIndTable*>)op)(context, attr);
        if (table == null) error = Marshal.GetLastSystemError();
        return table;
    }

    /// <summary><c>ibv_destroy_rwq_ind_table</c>.</summary>
    public static int DestroyRwqIndTable(IbvRwqIndTable* table)
    {
        nint op = GetOp((IbvContext*)table->Context, (int)Marshal.OffsetOf<VerbsContext>(nameof(VerbsContext.DestroyRwqIndTable)));
        return op == 0 ? EOpNotSupp : ((delegate* unmanaged<IbvRwqIndTable*, int>)op)(table);
    }
}
