package io.github.tfloop.weights;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Replaces function calls in a graph's nodes by the functions' bodies, as TensorFlow's own function
 * inlining does, so that each op inside gets its ordinary gradient. A TensorFlow 2 SavedModel's
 * signature is a {@code StatefulPartitionedCall} of a function of its library, whose only gradient
 * ({@code SymbolicGradient}) cannot handle the captured variables' resource handles; inlined, it is
 * plain ops over {@code ReadVariableOp}s.
 *
 * <p>A call is a {@code PartitionedCall} or {@code StatefulPartitionedCall} node, or a node whose
 * op is a function of the library. Its body's nodes are renamed {@code <call>/<node>}, its
 * arguments become the call's inputs, and every use of the call's outputs becomes a use of the
 * body's results; a control dependency on the call becomes one on a {@code NoOp} that waits for the
 * whole body. Bodies holding calls are inlined in turn. Functions referred to in other ways (the
 * branches of {@code If}, the body of {@code While}) are left to the library.
 */
final class FunctionInliner {

  /** Calls nested deeper than this are taken for a recursion. */
  private static final int MAX_DEPTH = 64;

  private final Map<String, FunctionDef> library;
  private final Function<String, OpDef> opDefs;
  private final Map<String, NodeDef> nodes;

  /** Tensors renamed by inlining: a call's output to the body's result that replaces it. */
  private final Map<String, String> renamed = new HashMap<>();

  /**
   * @param nodes the graph's nodes by name; inlining edits this map
   * @param library the graph's functions by name
   * @param opDefs the definition of a registered op type
   */
  FunctionInliner(
      Map<String, NodeDef> nodes,
      Map<String, FunctionDef> library,
      Function<String, OpDef> opDefs) {
    this.nodes = nodes;
    this.library = library;
    this.opDefs = opDefs;
  }

  /** Whether {@code node} calls a function of the library that this class can inline. */
  boolean isCall(NodeDef node) {
    return functionOf(node) != null;
  }

  private FunctionDef functionOf(NodeDef node) {
    String op = node.getOp();
    if (op.equals("PartitionedCall") || op.equals("StatefulPartitionedCall")) {
      AttrValue f = node.getAttrMap().get("f");
      return f == null ? null : library.get(f.getFunc().getName());
    }
    return library.get(op);
  }

  /** Inlines every call among {@code names} (and the calls their bodies hold). */
  void inline(Set<String> names) {
    List<String> pending = new ArrayList<>();
    for (String name : names) {
      NodeDef node = nodes.get(name);
      if (node != null && isCall(node)) {
        pending.add(name);
      }
    }
    for (String call : pending) {
      inline(call, 0);
    }
  }

  /** What {@code tensor} ({@code node:index}, {@code node}) is called after inlining. */
  String resolve(String tensor) {
    String name = canonical(tensor);
    String next;
    while ((next = renamed.get(name)) != null) {
      name = next;
    }
    return name;
  }

  private void inline(String callName, int depth) {
    NodeDef call = nodes.get(callName);
    FunctionDef function = functionOf(call);
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "function calls nested more than "
              + MAX_DEPTH
              + " deep at "
              + callName
              + " ("
              + function.getSignature().getName()
              + "): a recursive function cannot be inlined");
    }
    String prefix = uniquePrefix(callName);
    Map<String, AttrValue> callAttrs =
        call.getOp().endsWith("PartitionedCall")
            ? call.getAttrMap().get("f").getFunc().getAttrMap()
            : call.getAttrMap();

    // Arguments: the call's data inputs, in order; its control inputs wait before the body runs.
    List<String> dataInputs = new ArrayList<>();
    List<String> controlInputs = new ArrayList<>();
    for (String input : call.getInputList()) {
      if (input.startsWith("^")) {
        controlInputs.add(input);
      } else {
        dataInputs.add(canonical(input));
      }
    }
    var signature = function.getSignature();
    if (signature.getInputArgCount() != dataInputs.size()) {
      throw new IllegalArgumentException(
          "call "
              + callName
              + " of "
              + signature.getName()
              + " passes "
              + dataInputs.size()
              + " inputs to "
              + signature.getInputArgCount()
              + " arguments; functions with list arguments are not inlined");
    }
    Map<String, String> arguments = new HashMap<>();
    for (int i = 0; i < dataInputs.size(); i++) {
      arguments.put(signature.getInputArg(i).getName(), dataInputs.get(i));
    }
    String gate = null;
    if (!controlInputs.isEmpty()) {
      gate = prefix + "_inlined_control_inputs";
      nodes.put(
          gate,
          NodeDef.newBuilder().setName(gate).setOp("NoOp").addAllInput(controlInputs).build());
    }

    Map<String, NodeDef> body = new LinkedHashMap<>();
    for (NodeDef node : function.getNodeDefList()) {
      body.put(node.getName(), node);
    }
    List<String> inlined = new ArrayList<>();
    for (NodeDef node : function.getNodeDefList()) {
      NodeDef.Builder copy = node.toBuilder().setName(prefix + node.getName()).clearInput();
      copy.clearDevice();
      boolean hasDataInput = false;
      for (String input : node.getInputList()) {
        if (input.startsWith("^")) {
          copy.addInput("^" + prefix + input.substring(1));
        } else {
          copy.addInput(bodyTensor(input, prefix, arguments, body, function));
          hasDataInput = true;
        }
      }
      if (gate != null && !hasDataInput) {
        copy.addInput("^" + gate);
      }
      copy.clearAttr();
      for (Map.Entry<String, AttrValue> attr : node.getAttrMap().entrySet()) {
        copy.putAttr(attr.getKey(), substitute(attr.getValue(), callAttrs, callName, function));
      }
      nodes.put(copy.getName(), copy.build());
      inlined.add(copy.getName());
    }

    // The call's outputs are now the body's results; a control dependency on the call waits for
    // the results and the body's control outputs, through a NoOp that takes over the call's name.
    nodes.remove(callName);
    NodeDef.Builder done = NodeDef.newBuilder().setName(callName).setOp("NoOp");
    for (int i = 0; i < signature.getOutputArgCount(); i++) {
      String outputName = signature.getOutputArg(i).getName();
      String result = function.getRetMap().get(outputName);
      if (result == null) {
        throw new IllegalArgumentException(
            "function " + signature.getName() + " returns nothing for its output " + outputName);
      }
      String tensor = bodyTensor(result, prefix, arguments, body, function);
      renamed.put(callName + ":" + i, tensor);
      done.addInput("^" + nodeOf(tensor));
    }
    for (String control : function.getControlRetMap().values()) {
      done.addInput("^" + prefix + control);
    }
    nodes.put(callName, done.build());
    for (Map.Entry<String, NodeDef> entry : new ArrayList<>(nodes.entrySet())) {
      NodeDef node = entry.getValue();
      boolean changed = false;
      NodeDef.Builder rewired = node.toBuilder().clearInput();
      for (String input : node.getInputList()) {
        if (!input.startsWith("^") && nodeOf(input).equals(callName)) {
          rewired.addInput(resolve(input));
          changed = true;
        } else {
          rewired.addInput(input);
        }
      }
      if (changed) {
        nodes.put(entry.getKey(), rewired.build());
      }
    }
    for (String name : inlined) {
      NodeDef node = nodes.get(name);
      if (node != null && isCall(node)) {
        inline(name, depth + 1);
      }
    }
  }

  /**
   * The graph tensor a body's input string stands for: an argument's name, or {@code
   * node:output_arg:index} within the body.
   */
  private String bodyTensor(
      String input,
      String prefix,
      Map<String, String> arguments,
      Map<String, NodeDef> body,
      FunctionDef function) {
    String[] parts = input.split(":");
    if (parts.length == 1) {
      String argument = arguments.get(input);
      if (argument != null) {
        return argument;
      }
      if (body.containsKey(input)) {
        return prefix + input + ":0";
      }
      throw new IllegalArgumentException(
          "function " + function.getSignature().getName() + " refers to an unknown input " + input);
    }
    NodeDef node = body.get(parts[0]);
    if (node == null) {
      throw new IllegalArgumentException(
          "function " + function.getSignature().getName() + " refers to an unknown node " + input);
    }
    if (parts.length == 2) {
      return prefix + parts[0] + ":" + parts[1];
    }
    return prefix + parts[0] + ":" + flatIndex(node, parts[1], Integer.parseInt(parts[2]));
  }

  /**
   * The position among all of {@code node}'s outputs of output {@code index} of arg {@code arg}.
   */
  private int flatIndex(NodeDef node, String arg, int index) {
    FunctionDef function = library.get(node.getOp());
    if (function != null) {
      var outputs = function.getSignature().getOutputArgList();
      for (int i = 0; i < outputs.size(); i++) {
        if (outputs.get(i).getName().equals(arg)) {
          return i + index;
        }
      }
      throw new IllegalArgumentException(
          "function " + node.getOp() + " has no output " + arg + " (node " + node.getName() + ")");
    }
    OpDef op = opDefs.apply(node.getOp());
    int position = 0;
    for (OpDef.ArgDef output : op.getOutputArgList()) {
      if (output.getName().equals(arg)) {
        return position + index;
      }
      position += length(node, op, output);
    }
    throw new IllegalArgumentException(
        "op " + node.getOp() + " has no output " + arg + " (node " + node.getName() + ")");
  }

  /** How many tensors output arg {@code output} of {@code node} has. */
  private static int length(NodeDef node, OpDef op, OpDef.ArgDef output) {
    if (!output.getNumberAttr().isEmpty()) {
      return (int) attr(node, op, output.getNumberAttr()).getI();
    }
    if (!output.getTypeListAttr().isEmpty()) {
      return attr(node, op, output.getTypeListAttr()).getList().getTypeCount();
    }
    return 1;
  }

  private static AttrValue attr(NodeDef node, OpDef op, String name) {
    AttrValue value = node.getAttrMap().get(name);
    if (value != null) {
      return value;
    }
    for (OpDef.AttrDef attr : op.getAttrList()) {
      if (attr.getName().equals(name) && attr.hasDefaultValue()) {
        return attr.getDefaultValue();
      }
    }
    throw new IllegalArgumentException(
        "node " + node.getName() + " (" + node.getOp() + ") has no attribute " + name);
  }

  /** {@code value}, with a placeholder ({@code $T}) replaced by the call's attribute. */
  private static AttrValue substitute(
      AttrValue value, Map<String, AttrValue> callAttrs, String callName, FunctionDef function) {
    if (value.getValueCase() != AttrValue.ValueCase.PLACEHOLDER) {
      return value;
    }
    AttrValue bound = callAttrs.get(value.getPlaceholder());
    if (bound == null) {
      throw new IllegalArgumentException(
          "call "
              + callName
              + " of "
              + function.getSignature().getName()
              + " does not set its attribute "
              + value.getPlaceholder());
    }
    return bound;
  }

  /** {@code <call>/}, or another prefix if nodes already use that one. */
  private String uniquePrefix(String callName) {
    String prefix = callName + "/";
    int suffix = 1;
    while (startsAnyNode(prefix)) {
      prefix = callName + "_inlined_" + suffix++ + "/";
    }
    return prefix;
  }

  private boolean startsAnyNode(String prefix) {
    for (String name : nodes.keySet()) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** {@code node:index} for an input written {@code node}, {@code node:index}. */
  static String canonical(String tensor) {
    return tensor.indexOf(':') < 0 ? tensor + ":0" : tensor;
  }

  /** The node of a tensor or control input. */
  static String nodeOf(String input) {
    String name = input.startsWith("^") ? input.substring(1) : input;
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }
}
