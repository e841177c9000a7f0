package zhiku;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node embedded in a plain JVM, for Zhiku's search tests.
 *
 * <p>The distribution's launcher, security plugin and bootstrap checks are not used: building
 * {@link Node} directly skips the checks, and the HTTP layer (a module in the distribution) is
 * given as a classpath plugin. Usage: {@code OpenSearchTestNode HOME_DIR [HTTP_PORT]}; port 0
 * binds a free port. Prints {@code ZHIKU_OPENSEARCH_HTTP=host:port} once the node answers, then
 * runs until the process is terminated or its standard input closes (so a test run that dies
 * cannot leave a node behind).
 */
public final class OpenSearchTestNode {

    /** Node with the netty4 HTTP/transport plugin, which the distribution loads as a module. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment) {
            super(environment, List.of(Netty4Plugin.class), true);
        }
    }

    public static void main(String[] args) throws Exception {
        Path home = Paths.get(args[0]).toAbsolutePath();
        String httpPort = args.length > 1 ? args[1] : "0";
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Settings settings = Settings.builder()
            .put("cluster.name", "zhiku-test")
            .put("node.name", "zhiku-test-node")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", "0")
            .put("discovery.type", "single-node")
            // Test machines often have nearly full disks; the watermarks would block writes.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        LogConfigurator.configureWithoutConfig(settings);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, java.util.Map.of(), home.resolve("config"), () -> "zhiku-test-node");
        Node node = new EmbeddedNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception err) {
                err.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the parent writes nothing; EOF means it is gone
                }
            } catch (java.io.IOException err) {
                // treated as EOF
            }
            System.exit(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        node.start();
        InetSocketAddress address = node.injector().getInstance(HttpServerTransport.class)
            .boundAddress().publishAddress().address();
        System.out.println("ZHIKU_OPENSEARCH_HTTP=" + address.getHostString() + ":" + address.getPort());
        System.out.flush();
        stopped.await();
    }
}
