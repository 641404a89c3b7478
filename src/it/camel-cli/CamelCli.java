/** `camel` without JBang: CamelJBangMain has no main method of its own. */
public class CamelCli {
    public static void main(String[] args) throws Exception {
        org.apache.camel.dsl.jbang.core.commands.CamelJBangMain.run(args);
    }
}
