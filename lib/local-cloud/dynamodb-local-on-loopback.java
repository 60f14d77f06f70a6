// Starts DynamoDB Local listening on 127.0.0.1 only.
//
// The jar's own entry point hands Jetty a bare port, so it listens on every interface of the
// machine and anyone on the network could read and write the local tables. It has no option to
// choose the address, so this launcher builds the server exactly as the jar's entry point does
// (same command-line options), moves its connector onto the loopback address, then starts it.
//
// Run in Java's source-file mode with the jar on the class path:
//   java -cp DynamoDBLocal.jar dynamodb-local-on-loopback.java -port 8000 -inMemory -sharedDb
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class DynamoDbLocalOnLoopback {
  static final String LOOPBACK = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field serverField = DynamoDBProxyServer.class.getDeclaredField("server");
    serverField.setAccessible(true);
    Server server = (Server) serverField.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind");
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector)) {
        throw new IllegalStateException("Unexpected DynamoDB Local connector " + connector.getClass().getName());
      }
      ((ServerConnector) connector).setHost(LOOPBACK);
    }
    proxy.start();
    for (Connector connector : connectors) {
      ServerConnector bound = (ServerConnector) connector;
      // Read by lib/local-cloud/dynamodb-local.ts as proof of the address actually bound.
      System.out.println("DynamoDB Local listening on " + bound.getHost() + ":" + bound.getLocalPort());
    }
    proxy.join();
  }
}
