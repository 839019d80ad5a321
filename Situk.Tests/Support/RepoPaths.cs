namespace Situk.Tests.Support;

/// <summary>Where the repository's own scripts are, found from the test assembly's folder upwards.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    public static string Root => RootLazy.Value;

    public static string PgScript => Path.Combine(Root, "eng", "pg.sh");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Situk.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Situk.slnx not found above {AppContext.BaseDirectory}.");
    }
}
