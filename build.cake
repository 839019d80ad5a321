// Situk's build. Public targets: Build, Test (default), Up, Down, Bench, Soak, Clean, PublishBroker (artifacts/broker, ReadyToRun).
// Private steps start with "__" and are composed into the public targets.
//   ./build.sh --target=Test [--filter=<dotnet test filter>] [--configuration=Release]
//   ./build.sh --target=Up      (Ctrl-C stops everything)
//   ./build.sh --target=Up --brokers=3 --apis=2   (a local cluster: nats-server, nginx in front; docs/cluster.md)
//   ./build.sh --target=Down
//   ./build.sh --target=Bench [--bench-filter=<BenchmarkDotNet filter>]
//   ./build.sh --target=Soak [--duration=10m] [--soak-args="--devices 1000 --rate 5"]   (not in CI)
#load "eng/cake/DevSystem.cake"

using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var testFilter = Argument("filter", "");
var benchFilter = Argument("bench-filter", "");
var soakDuration = Argument("duration", "10m");
var soakArgs = Argument("soak-args", "");
var devTopology = DevTopology.From(Argument("brokers", 1), Argument("apis", 1), Argument("nats", 3));

var root = MakeAbsolute(Directory("./")).FullPath;
var solution = $"{root}/Situk.slnx";
var artifacts = $"{root}/artifacts";
var testResults = $"{artifacts}/test-results";
var summaryFile = $"{testResults}/summary.txt";

// The throw-away PostgreSQL cluster of a test run (unless SITUK_TEST_DB names one).
string testDb = EnvironmentVariable("SITUK_TEST_DB") ?? "";
string testPgData = EnvironmentVariable("SITUK_TEST_PGDATA") ?? "";
string ownedTestPgRoot = null;

Task("__Clean").Does(() =>
{
    foreach (var project in new[] { "Situk.Contracts", "Situk.Nats", "Situk.Client", "Situk.Broker", "Situk.Api", "Situk.Tests", "Situk.Bench" })
    {
        CleanDirectory($"{root}/{project}/bin");
        CleanDirectory($"{root}/{project}/obj");
    }
    CleanDirectory(artifacts);
    CleanDirectory($"{root}/BenchmarkDotNet.Artifacts");
});

Task("__Restore").Does(() => DotNetRestore(solution));

Task("__Build").Does(() => DotNetBuild(solution, new DotNetBuildSettings
{
    Configuration = configuration,
    NoRestore = true,
}));

Task("__StartTestDatabase").Does(() =>
{
    if (testDb.Length > 0)
    {
        Information($"Tests use the PostgreSQL server named by SITUK_TEST_DB.");
        return;
    }
    ownedTestPgRoot = $"/tmp/situk-test-{Guid.NewGuid():N}".Substring(0, 26);
    System.IO.Directory.CreateDirectory(ownedTestPgRoot);
    testPgData = $"{ownedTestPgRoot}/pg";
    testDb = PgScript("start", testPgData, FreeTcpPort().ToString());
    Information($"Test PostgreSQL cluster started in {testPgData}");
});

// The browser tests drive the system Chromium; find it (installing Debian's package as root) before they run.
string chromium = EnvironmentVariable("SITUK_CHROMIUM") ?? "";
Task("__EnsureBrowser").Does(() =>
{
    if (chromium.Length > 0) return;
    var exit = StartProcess("bash", new ProcessSettings
    {
        Arguments = $"{root}/eng/chromium.sh",
        RedirectStandardOutput = true,
    }, out var output);
    if (exit != 0) throw new Exception("Chromium is missing; see the message above.");
    chromium = string.Join("", output).Trim();
    Information($"Browser tests use {chromium}");
});

// The cluster tests and the local cluster of Up start their own nats-server; find it (installing
// Debian's package as root) before they run.
string natsServer = EnvironmentVariable("SITUK_NATS_SERVER") ?? "";
Task("__EnsureNats").Does(() => EnsureNats());
void EnsureNats()
{
    if (natsServer.Length > 0) return;
    var exit = StartProcess("bash", new ProcessSettings
    {
        Arguments = $"{root}/eng/nats.sh",
        RedirectStandardOutput = true,
    }, out var output);
    if (exit != 0) throw new Exception("nats-server is missing; see the message above.");
    natsServer = string.Join("", output).Trim();
    Information($"nats-server: {natsServer}");
}

// The local cluster's load balancer: find nginx (installing Debian's nginx-light as root).
string nginx = EnvironmentVariable("SITUK_NGINX") ?? "";
void EnsureNginx()
{
    if (nginx.Length > 0) return;
    var exit = StartProcess("bash", new ProcessSettings
    {
        Arguments = $"{root}/eng/nginx/nginx.sh",
        RedirectStandardOutput = true,
    }, out var output);
    if (exit != 0) throw new Exception("nginx is missing; see the message above.");
    nginx = string.Join("", output).Trim();
    Information($"nginx: {nginx}");
}

// Up with --brokers or --apis above 1 needs nats-server and nginx; the single-node Up needs neither.
Task("__EnsureClusterTools")
    .WithCriteria(() => devTopology.IsCluster)
    .Does(() =>
    {
        EnsureNats();
        EnsureNginx();
    });

Task("__RunTests").Does(() =>
{
    EnsureDirectoryExists(testResults);
    DeleteFiles($"{testResults}/*.trx");
    if (FileExists(summaryFile)) DeleteFile(summaryFile);
    var settings = new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ResultsDirectory = testResults,
        Loggers = new[] { "trx;LogFileName=situk.trx", "console;verbosity=normal" },
        EnvironmentVariables = new Dictionary<string, string>
        {
            ["SITUK_TEST_DB"] = testDb,
            ["SITUK_TEST_PGDATA"] = testPgData,
            ["SITUK_CHROMIUM"] = chromium,
            ["SITUK_NATS_SERVER"] = natsServer,
        },
    };
    if (testFilter.Length > 0) settings.Filter = testFilter;
    (long Passed, long Failed) summary;
    try
    {
        DotNetTest($"{root}/Situk.Tests/Situk.Tests.csproj", settings);
    }
    finally
    {
        summary = WriteTestSummary();
    }
    // The test runner's exit code is not the only word: a run whose runner was stopped from outside has been seen to
    // end with exit code 0 and no results. A failure or a run without a single passed test fails the task.
    if (summary.Failed > 0) throw new Exception($"{summary.Failed} test(s) failed.");
    if (summary.Passed == 0) throw new Exception($"No test passed: the run left no results in {testResults} (stopped, crashed, or a filter that matches nothing).");
});

// The broker as Up and the bench run it: published ReadyToRun (see Situk.Broker.csproj) for this machine, on the
// shared framework. Only here is native code compiled, so Build and Test (and CI) pay nothing for it.
Task("__PublishBroker").Does(() => DotNetPublish($"{root}/Situk.Broker/Situk.Broker.csproj", new DotNetPublishSettings
{
    Configuration = "Release",
    Runtime = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier,
    SelfContained = false,
    OutputDirectory = $"{artifacts}/broker",
}));

Task("__BuildBench").Does(() => DotNetBuild($"{root}/Situk.Bench/Situk.Bench.csproj", new DotNetBuildSettings
{
    Configuration = "Release",
}));

Task("__RunBench").Does(() =>
{
    // With --bench-filter: those BenchmarkDotNet classes only. Without: eng/bench.sh, the hot paths and then
    // `floor`, which measures every performance goal and rewrites its table in docs/benchmarks.md (~15 min on a quiet 2-core machine).
    var exit = benchFilter.Length > 0
        ? StartProcess("dotnet", new ProcessSettings
        {
            Arguments = $"run -c Release --no-build --project \"{root}/Situk.Bench\" -- --filter \"{benchFilter}\"",
            WorkingDirectory = root,
        })
        : StartProcess("bash", new ProcessSettings { Arguments = $"{root}/eng/bench.sh", WorkingDirectory = root });
    if (exit != 0) throw new Exception($"The benchmarks exited with {exit}");
});

// The broker under steady load with churning devices for --duration; rewrites the `soak` section of
// docs/soak.md and fails when memory, handles or threads grow without bound or a delivery is lost.
Task("__RunSoak").Does(() =>
{
    var exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"run -c Release --no-build --project \"{root}/Situk.Bench\" -- soak --duration {soakDuration} --report docs/soak.md {soakArgs}",
        WorkingDirectory = root,
    });
    if (exit != 0) throw new Exception($"The soak failed (exit {exit}): see its verdict above and docs/soak.md.");
});

Task("__Up").Does(() => new DevSystem(Context, root, configuration, devTopology, natsServer, nginx).Run());

Task("__CheckDevPorts").Does(() => new DevSystem(Context, root, configuration, devTopology).CheckPorts());

Task("__Down").Does(() => new DevSystem(Context, root, configuration).StopLeftovers());

Task("Clean").IsDependentOn("__Clean");
Task("Build").IsDependentOn("__Restore").IsDependentOn("__Build");
Task("Test").IsDependentOn("Build").IsDependentOn("__StartTestDatabase").IsDependentOn("__EnsureBrowser").IsDependentOn("__EnsureNats").IsDependentOn("__RunTests");
Task("Up").IsDependentOn("__CheckDevPorts").IsDependentOn("__EnsureClusterTools").IsDependentOn("Build").IsDependentOn("__PublishBroker").IsDependentOn("__Up");
Task("PublishBroker").IsDependentOn("__Restore").IsDependentOn("__PublishBroker");
Task("Down").IsDependentOn("__Down");
Task("Bench").IsDependentOn("__Restore").IsDependentOn("__BuildBench").IsDependentOn("__RunBench");
Task("Soak").IsDependentOn("__Restore").IsDependentOn("__BuildBench").IsDependentOn("__RunSoak");

Teardown(context =>
{
    if (ownedTestPgRoot is null) return;
    try
    {
        PgScript("stop", testPgData, "immediate");
        System.IO.Directory.Delete(ownedTestPgRoot, recursive: true);
    }
    catch (Exception ex)
    {
        Warning($"Could not remove the test cluster in {ownedTestPgRoot}: {ex.Message}");
    }
});

RunTarget(target);

// The "N passed, N failed, N skipped" line, from the TRX counters; build.sh prints it last, after the
// name and first lines of the message of each failed test, so the end of a long log says what failed.
(long Passed, long Failed) WriteTestSummary()
{
    long passed = 0, failed = 0, skipped = 0;
    var failures = new List<string>();
    foreach (var trx in GetFiles($"{testResults}/*.trx"))
    {
        var document = XDocument.Load(trx.FullPath);
        foreach (var result in document.Descendants().Where(e => e.Name.LocalName == "UnitTestResult"
                     && (string)e.Attribute("outcome") is "Failed" or "Error" or "Timeout" or "Aborted"))
        {
            var message = result.Descendants().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? "";
            var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(6).Select(l => "    " + l.TrimEnd());
            failures.Add($"FAILED {(string)result.Attribute("testName")} ({(string)result.Attribute("duration")})\n{string.Join("\n", lines)}");
        }
        var counters = document.Descendants().First(e => e.Name.LocalName == "Counters");
        long Read(string name) => long.TryParse((string)counters.Attribute(name), out var n) ? n : 0;
        passed += Read("passed");
        failed += Read("failed") + Read("error") + Read("timeout") + Read("aborted");
        skipped += Read("notExecuted") + Read("inconclusive");
    }
    var line = skipped > 0 ? $"{passed} passed, {failed} failed, {skipped} skipped" : $"{passed} passed, {failed} failed";
    System.IO.File.WriteAllText(summaryFile, string.Concat(failures.Select(f => f + "\n")) + line + "\n");
    return (passed, failed);
}

// Runs eng/pg.sh and returns what it printed (a connection string for "start").
string PgScript(params string[] args)
{
    var exit = StartProcess("bash", new ProcessSettings
    {
        Arguments = ProcessArgumentBuilder.FromStrings(new[] { $"{root}/eng/pg.sh" }.Concat(args)),
        RedirectStandardOutput = true,
    }, out var output);
    if (exit != 0) throw new Exception($"eng/pg.sh {string.Join(" ", args)} failed with exit code {exit}");
    return string.Join("\n", output).Trim();
}

int FreeTcpPort()
{
    var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}
