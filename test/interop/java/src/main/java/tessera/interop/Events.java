package tessera.interop;

import java.util.LinkedHashMap;
import java.util.Map;

/** One JSON line per step, as the go-spiffe and py-spiffe clients print them. */
final class Events {
  private Events() {}

  static Map<String, Object> event(String name) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("event", name);
    return fields;
  }

  static synchronized void emit(Map<String, Object> fields) {
    StringBuilder line = new StringBuilder("{");
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (line.length() > 1) line.append(',');
      line.append(quote(e.getKey())).append(':');
      Object v = e.getValue();
      line.append(v instanceof Number || v instanceof Boolean ? v.toString() : quote(String.valueOf(v)));
    }
    System.out.println(line.append('}'));
    System.out.flush();
  }

  static void fail(String step, Throwable err) {
    Map<String, Object> fields = event("error");
    fields.put("step", step);
    StringBuilder message = new StringBuilder(String.valueOf(err));
    for (Throwable c = err.getCause(); c != null; c = c.getCause()) message.append(" <- ").append(c);
    fields.put("error", message.toString());
    emit(fields);
    System.exit(1);
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }

  /** `--name value` options after the mode. */
  static Map<String, String> options(String[] args, int from) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = from; i + 1 < args.length; i += 2) options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    return options;
  }
}
