namespace Junction.Devices.Verbs;

/// <summary>Linux errno values discovery tells apart, and their names for messages.</summary>
internal static class Errno
{
    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int ENoMem = 12;
    public const int EAccess = 13;
    public const int ENoDev = 19;
    public const int EInval = 22;
    public const int ENoSys = 38;
    public const int EOpNotSupp = 95;

    /// <summary>The symbolic name (<c>ENOSYS</c>), or <c>errno N</c> for values not listed here.</summary>
    public static string Name(int errno) => errno switch
    {
        EPerm => "EPERM",
        ENoEnt => "ENOENT",
        ENoMem => "ENOMEM",
        EAccess => "EACCES",
        ENoDev => "ENODEV",
        EInval => "EINVAL",
        ENoSys => "ENOSYS",
        EOpNotSupp => "EOPNOTSUPP",
        _ => $"errno {errno}",
    };
}
