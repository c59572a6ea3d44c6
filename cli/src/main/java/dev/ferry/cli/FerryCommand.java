package dev.ferry.cli;

import dev.ferry.api.runtime.HttpClientSelectors;
import dev.ferry.api.runtime.JvmDefaults;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `ferry` command: migrations on one machine (the local mode), jobs' progress on any cluster, and a local cluster for kubectl. */
@Command(name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = FerryCommand.Version.class,
        description = "Moves file trees from POSIX filesystems into S3-compatible object storage.",
        subcommands = {MigrateCommand.class, StatusCommand.class, DevClusterCommand.class, CommandLine.HelpCommand.class})
public final class FerryCommand {

    public static void main(String[] args) {
        JvmDefaults.apply();
        int code = new CommandLine(new FerryCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
        HttpClientSelectors.stopAll(Duration.ofSeconds(1)); // every client is closed; else the exit waits 0.3 s
        System.exit(code);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = FerryCommand.class.getPackage().getImplementationVersion();
            return new String[] {"ferry " + (version == null ? "development build" : version)};
        }
    }
}
