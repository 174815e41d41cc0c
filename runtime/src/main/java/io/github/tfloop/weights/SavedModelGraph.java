package io.github.tfloop.weights;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_ImportGraphDefOptions;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.VariableDef;

/**
 * One signature of a SavedModel, read from its files and made ready to import into another graph:
 * the nodes its outputs need from its inputs, with every function call inlined (so that each op
 * gets its own gradient), its variables taken out and described, each with the checkpoint entry
 * that holds its value.
 *
 * <p>Both kinds of SavedModel are read: TensorFlow 1 graphs ({@code VariableV2} variables read
 * through {@code Identity} ops) and TensorFlow 2 ones (the signature is a call of a function that
 * captures {@code VarHandleOp} resource handles and reads them with {@code ReadVariableOp}). A
 * variable's checkpoint entry is found the way TensorFlow's loader restores it: by following the
 * SavedModel's restore op to the {@code RestoreV2} output assigned to the variable. Whether it is
 * trainable comes from the {@code trainable_variables} collection (TensorFlow 1) or the object
 * graph (TensorFlow 2).
 *
 * <p>{@link #graphDef()} holds neither the variables nor their reads: whoever imports it maps each
 * variable's {@link Variable#valueTensors() value tensors} to its own read of the variable, and its
 * {@link Variable#handleTensors() handle tensors} to its own resource handle; and each input's
 * tensor to the operand fed to it.
 */
public final class SavedModelGraph {

  /** The tag of the meta graph a SavedModel serves, which is read when it holds several. */
  public static final String SERVE = "serve";

  /**
   * A tensor of the signature.
   *
   * @param key its name in the signature, such as {@code x}
   * @param tensor the tensor in the graph, such as {@code serving_default_x:0}
   * @param type the element type
   * @param shape the shape ({@code -1} for unknown dimensions), or unknown
   */
  public record SignatureTensor(String key, String tensor, WeightType type, Shape shape) {

    /** {@code key type [d0, d1] (tensor)}. */
    @Override
    public String toString() {
      return key + " " + type + " " + WeightTarget.describe(shape);
    }
  }

  /**
   * A variable the signature reads.
   *
   * @param name its name: the TensorFlow 2 object graph's name of it ({@code dense/kernel}), or the
   *     TensorFlow 1 variable's node name
   * @param node its node in the SavedModel's graph
   * @param checkpointKey its entry in the SavedModel's checkpoint
   * @param type the element type
   * @param shape the shape
   * @param trainable whether the SavedModel marks it trainable
   * @param valueTensors tensors of the original graph that are its value: a {@code VariableV2}'s
   *     output, or the outputs of the {@code ReadVariableOp}s of its handle
   * @param handleTensors tensors that are its resource handle, still used by ops of {@link
   *     #graphDef()} other than reads (empty for TensorFlow 1 variables)
   * @param resourceUses the ops other than reads that use its handle, such as {@code
   *     ResourceGather} (their gradients do not reach it)
   */
  public record Variable(
      String name,
      String node,
      String checkpointKey,
      WeightType type,
      Shape shape,
      boolean trainable,
      List<String> valueTensors,
      List<String> handleTensors,
      List<String> resourceUses) {

    /** Copies the lists. */
    public Variable {
      valueTensors = List.copyOf(valueTensors);
      handleTensors = List.copyOf(handleTensors);
      resourceUses = List.copyOf(resourceUses);
    }
  }

  private final Path directory;
  private final String signature;
  private final List<SignatureTensor> inputs;
  private final List<SignatureTensor> outputs;
  private final List<Variable> variables;
  private final GraphDef graphDef;
  private final Path checkpoint;
  private final List<String> calls;

  private SavedModelGraph(
      Path directory,
      String signature,
      List<SignatureTensor> inputs,
      List<SignatureTensor> outputs,
      List<Variable> variables,
      GraphDef graphDef,
      Path checkpoint,
      List<String> calls) {
    this.directory = directory;
    this.signature = signature;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.variables = List.copyOf(variables);
    this.graphDef = graphDef;
    this.checkpoint = checkpoint;
    this.calls = List.copyOf(calls);
  }

  /** The SavedModel's directory. */
  public Path directory() {
    return directory;
  }

  /** The signature's key, such as {@code serving_default}. */
  public String signature() {
    return signature;
  }

  /** The signature's inputs, in key order. */
  public List<SignatureTensor> inputs() {
    return inputs;
  }

  /** The signature's outputs, in key order; their tensors are names in {@link #graphDef()}. */
  public List<SignatureTensor> outputs() {
    return outputs;
  }

  /** The variables the outputs depend on, in the graph's order. */
  public List<Variable> variables() {
    return variables;
  }

  /**
   * The nodes the outputs need from the inputs, calls inlined, variables and their reads left out,
   * devices and colocation constraints cleared; and the SavedModel's whole function library.
   */
  public GraphDef graphDef() {
    return graphDef;
  }

  /** The prefix of the SavedModel's checkpoint ({@code variables/variables}), or null if none. */
  public Path checkpoint() {
    return checkpoint;
  }

  /**
   * Call ops left in {@link #graphDef()} ({@code name (op)}): calls of functions missing from the
   * library. Their only gradient, {@code SymbolicGradient}, fails when run over resource handles.
   */
  public List<String> calls() {
    return calls;
  }

  /** {@code SavedModel <dir>, signature <key>}, for messages. */
  public String description() {
    return "SavedModel " + directory + ", signature " + signature;
  }

  /**
   * Reads signature {@code signature} of the SavedModel in {@code directory}: of its meta graph
   * tagged {@value #SERVE}, or of its only one.
   *
   * @throws WeightFileException if {@code saved_model.pb} is missing or unreadable, or its
   *     variables' checkpoint is
   * @throws IllegalArgumentException naming what there is, if there is no such signature; listing
   *     the variables whose checkpoint entry is missing or does not match
   */
  public static SavedModelGraph load(Path directory, String signature) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(signature, "signature");
    Path file = directory.resolve("saved_model.pb");
    SavedModel model;
    try {
      model = SavedModel.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new WeightFileException(
          file,
          Files.isDirectory(directory)
              ? "cannot be read (" + e + "): is " + directory + " a SavedModel?"
              : "cannot be read: " + directory + " is not a directory",
          e);
    }
    MetaGraphDef meta = metaGraph(model, file);
    SignatureDef def = meta.getSignatureDefMap().get(signature);
    if (def == null) {
      List<String> keys = new ArrayList<>(meta.getSignatureDefMap().keySet());
      keys.remove("__saved_model_init_op");
      java.util.Collections.sort(keys);
      throw new IllegalArgumentException(
          "SavedModel " + directory + " has no signature '" + signature + "'; it has " + keys);
    }
    return new Reader(directory, signature, meta, def).read();
  }

  private static MetaGraphDef metaGraph(SavedModel model, Path file) {
    if (model.getMetaGraphsCount() == 1) {
      return model.getMetaGraphs(0);
    }
    List<List<String>> tags = new ArrayList<>();
    for (MetaGraphDef meta : model.getMetaGraphsList()) {
      if (meta.getMetaInfoDef().getTagsList().contains(SERVE)) {
        return meta;
      }
      tags.add(meta.getMetaInfoDef().getTagsList());
    }
    throw new WeightFileException(
        file, "has no meta graph tagged '" + SERVE + "'; its meta graphs are tagged " + tags);
  }

  private static SignatureTensor tensorOf(String key, TensorInfo info) {
    return new SignatureTensor(
        key,
        FunctionInliner.canonical(info.getName()),
        WeightType.of(info.getDtype()),
        shapeOf(info));
  }

  private static Shape shapeOf(TensorInfo info) {
    return info.hasTensorShape() ? TensorShapes.of(info.getTensorShape()) : Shape.unknown();
  }

  /** The reading of one signature. */
  private static final class Reader {
    private final Path directory;
    private final String signature;
    private final MetaGraphDef meta;
    private final SignatureDef def;
    private final Map<String, FunctionDef> library = new HashMap<>();
    private final Map<String, OpDef> opDefs = new HashMap<>();
    private Graph opRegistry;

    Reader(Path directory, String signature, MetaGraphDef meta, SignatureDef def) {
      this.directory = directory;
      this.signature = signature;
      this.meta = meta;
      this.def = def;
      for (FunctionDef function : meta.getGraphDef().getLibrary().getFunctionList()) {
        library.put(function.getSignature().getName(), function);
      }
    }

    SavedModelGraph read() {
      try {
        return readGraph();
      } finally {
        if (opRegistry != null) {
          opRegistry.close();
        }
      }
    }

    private SavedModelGraph readGraph() {
      List<SignatureTensor> inputs = new ArrayList<>();
      new java.util.TreeMap<>(def.getInputsMap())
          .forEach((key, info) -> inputs.add(tensorOf(key, info)));
      List<SignatureTensor> outputs = new ArrayList<>();
      new java.util.TreeMap<>(def.getOutputsMap())
          .forEach((key, info) -> outputs.add(tensorOf(key, info)));
      Set<String> inputTensors = new HashSet<>();
      for (SignatureTensor input : inputs) {
        inputTensors.add(input.tensor());
      }

      // The outputs' nodes from the inputs, every call inlined, then pruned again.
      Map<String, NodeDef> nodes = nodesOf(meta.getGraphDef());
      FunctionInliner inliner = new FunctionInliner(nodes, library, this::opDef);
      List<String> roots = new ArrayList<>();
      for (SignatureTensor output : outputs) {
        roots.add(FunctionInliner.nodeOf(output.tensor()));
      }
      inliner.inline(reachable(nodes, roots, inputTensors));
      List<SignatureTensor> resolved = new ArrayList<>();
      roots.clear();
      for (SignatureTensor output : outputs) {
        String tensor = inliner.resolve(output.tensor());
        resolved.add(new SignatureTensor(output.key(), tensor, output.type(), output.shape()));
        roots.add(FunctionInliner.nodeOf(tensor));
      }
      Set<String> needed = reachable(nodes, roots, inputTensors);

      // The variables, and what reads them.
      Map<String, String> keys = checkpointKeys();
      CheckpointSource source = null;
      Path prefix = null;
      List<Variable> variables = new ArrayList<>();
      Set<String> removed = new HashSet<>();
      List<String> problems = new ArrayList<>();
      try {
        for (String name : needed) {
          NodeDef node = nodes.get(name);
          if (!isVariable(node)) {
            continue;
          }
          if (source == null) {
            source = openCheckpoint();
            prefix = source.prefix();
          }
          Variable variable = describe(node, nodes, needed, keys, source, removed, problems);
          if (variable != null) {
            variables.add(variable);
          }
        }
      } finally {
        if (source != null) {
          source.close();
        }
      }
      if (!problems.isEmpty()) {
        throw new WeightMappingException(
            problems.size()
                + (problems.size() == 1 ? " problem" : " problems")
                + " reading the variables of SavedModel "
                + directory
                + ":\n  "
                + String.join("\n  ", problems),
            problems);
      }
      uniqueNames(variables);

      GraphDef.Builder graph =
          GraphDef.newBuilder()
              .setVersions(meta.getGraphDef().getVersions())
              .setLibrary(meta.getGraphDef().getLibrary());
      Set<String> kept = new HashSet<>(needed);
      kept.removeAll(removed);
      List<String> calls = new ArrayList<>();
      for (String name : needed) {
        if (removed.contains(name)) {
          continue;
        }
        NodeDef node = nodes.get(name);
        NodeDef.Builder copy = node.toBuilder().clearDevice().removeAttr("_class").clearInput();
        for (String input : node.getInputList()) {
          if (!input.startsWith("^") || kept.contains(FunctionInliner.nodeOf(input))) {
            copy.addInput(input);
          }
        }
        graph.addNode(copy);
        if (isCallOp(node)) {
          calls.add(name + " (" + node.getOp() + ")");
        }
      }
      return new SavedModelGraph(
          directory, signature, inputs, resolved, variables, graph.build(), prefix, calls);
    }

    private static boolean isCallOp(NodeDef node) {
      return node.getOp().equals("PartitionedCall")
          || node.getOp().equals("StatefulPartitionedCall");
    }

    private CheckpointSource openCheckpoint() {
      return CheckpointSource.open(directory);
    }

    private static boolean isVariable(NodeDef node) {
      String op = node.getOp();
      return op.equals("VarHandleOp") || op.equals("VariableV2") || op.equals("Variable");
    }

    /** The variable {@code node}, with its checkpoint entry checked; null after a problem. */
    private Variable describe(
        NodeDef node,
        Map<String, NodeDef> nodes,
        Set<String> needed,
        Map<String, String> keys,
        CheckpointSource source,
        Set<String> removed,
        List<String> problems) {
      String name = node.getName();
      WeightType type = WeightType.of(node.getAttrOrThrow("dtype").getType());
      Shape shape = TensorShapes.of(node.getAttrOrThrow("shape").getShape());
      String key = keys.get(name);
      if (key == null) {
        key = byName(node, source);
      }
      if (key == null) {
        problems.add(
            "variable "
                + name
                + " "
                + type
                + " "
                + WeightTarget.describe(shape)
                + ": no checkpoint entry restores it (the SavedModel's restore op assigns none to"
                + " it and no entry has its name)");
        return null;
      }
      WeightEntry entry = source.entry(key);
      if (entry == null) {
        problems.add(
            "variable " + name + ": its checkpoint entry '" + key + "' is not in " + source);
        return null;
      }
      if (entry.type() != type) {
        problems.add("variable " + name + " is " + type + ", but its entry " + entry + " is not");
        return null;
      }
      if (shape.isUnknown() || hasUnknown(shape)) {
        shape = entry.shape();
      } else if (!shape.equals(entry.shape())) {
        problems.add(
            "variable "
                + name
                + " has shape "
                + WeightTarget.describe(shape)
                + ", but its entry "
                + entry
                + " does not");
        return null;
      }
      removed.add(name);
      List<String> values = new ArrayList<>();
      List<String> handles = new ArrayList<>();
      List<String> uses = new ArrayList<>();
      if (node.getOp().equals("VarHandleOp")) {
        collectUses(name + ":0", nodes, needed, values, handles, uses, removed);
      } else {
        values.add(name + ":0");
      }
      String readable = readableName(node, key, entry);
      return new Variable(
          readable, name, key, type, shape, trainable(node, key, type), values, handles, uses);
    }

    /**
     * Sorts the consumers of the resource handle {@code handle}: reads (whose outputs become value
     * tensors, and which are removed), resource identities (followed), and other uses.
     */
    private static void collectUses(
        String handle,
        Map<String, NodeDef> nodes,
        Set<String> needed,
        List<String> values,
        List<String> handles,
        List<String> uses,
        Set<String> removed) {
      boolean usedOtherwise = false;
      for (String consumerName : needed) {
        NodeDef consumer = nodes.get(consumerName);
        if (!consumer.getInputList().contains(handle)
            && !(handle.endsWith(":0")
                && consumer.getInputList().contains(handle.substring(0, handle.length() - 2)))) {
          continue;
        }
        String op = consumer.getOp();
        if (op.equals("ReadVariableOp")) {
          values.add(consumerName + ":0");
          removed.add(consumerName);
        } else if (op.equals("Identity")
            && consumer.getAttrMap().containsKey("T")
            && consumer.getAttrOrThrow("T").getType() == DataType.DT_RESOURCE) {
          collectUses(consumerName + ":0", nodes, needed, values, handles, uses, removed);
          usedOtherwise = true;
        } else {
          uses.add(consumerName + " (" + op + ")");
          usedOtherwise = true;
        }
      }
      if (usedOtherwise) {
        handles.add(handle);
      }
    }

    private static boolean hasUnknown(Shape shape) {
      for (long dim : shape.asArray()) {
        if (dim < 0) {
          return true;
        }
      }
      return false;
    }

    /** The entry of {@code node} by name: its shared name or node name, as key or full name. */
    private static String byName(NodeDef node, CheckpointSource source) {
      List<String> names = new ArrayList<>();
      AttrValue shared = node.getAttrMap().get("shared_name");
      if (shared != null && !shared.getS().isEmpty()) {
        names.add(shared.getS().toStringUtf8());
      }
      names.add(node.getName());
      for (String name : names) {
        for (WeightEntry entry : source.entries()) {
          if (entry.name().equals(name) || entry.fullName().equals(name)) {
            return entry.name();
          }
        }
      }
      return null;
    }

    private String readableName(NodeDef node, String key, WeightEntry entry) {
      if (meta.hasObjectGraphDef()) {
        Integer id = objectIds().get(key);
        var graph = meta.getObjectGraphDef();
        if (id != null && id < graph.getNodesCount() && graph.getNodes(id).hasVariable()) {
          String name = graph.getNodes(id).getVariable().getName();
          if (!name.isEmpty()) {
            return name;
          }
        }
      }
      return entry.fullName().equals(entry.name()) && key.contains("/.ATTRIBUTES/")
          ? node.getName()
          : entry.fullName();
    }

    private Map<String, Integer> objectIds;

    private Map<String, Integer> objectIds() {
      if (objectIds == null) {
        try (CheckpointSource source = openCheckpoint()) {
          objectIds = source.objectNodeIds();
        }
      }
      return objectIds;
    }

    private Set<String> trainableNodes;

    /** Whether the SavedModel marks the variable trainable; floating point ones by default. */
    private boolean trainable(NodeDef node, String key, WeightType type) {
      boolean floating =
          type == WeightType.FLOAT32
              || type == WeightType.FLOAT64
              || type == WeightType.FLOAT16
              || type == WeightType.BFLOAT16;
      if (!floating) {
        return false;
      }
      if (meta.hasObjectGraphDef() && meta.getObjectGraphDef().getNodesCount() > 0) {
        Integer id = objectIds().get(key);
        var graph = meta.getObjectGraphDef();
        if (id != null && id < graph.getNodesCount() && graph.getNodes(id).hasVariable()) {
          return graph.getNodes(id).getVariable().getTrainable();
        }
      }
      CollectionDef collection = meta.getCollectionDefMap().get("trainable_variables");
      if (collection == null) {
        return true;
      }
      if (trainableNodes == null) {
        trainableNodes = new HashSet<>();
        for (var bytes : collection.getBytesList().getValueList()) {
          try {
            String variable = VariableDef.parseFrom(bytes).getVariableName();
            trainableNodes.add(FunctionInliner.nodeOf(variable));
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            // a collection entry that is not a VariableDef names no trainable variable
          }
        }
      }
      return trainableNodes.contains(node.getName());
    }

    /**
     * Each variable node's checkpoint key, from the SavedModel's restore op: every assignment it
     * makes of a {@code RestoreV2} output to a variable, followed through identities and inlined
     * calls.
     */
    private Map<String, String> checkpointKeys() {
      Map<String, String> keys = new HashMap<>();
      String restore = meta.getSaverDef().getRestoreOpName();
      if (restore.isEmpty()) {
        return keys;
      }
      Map<String, NodeDef> nodes = nodesOf(meta.getGraphDef());
      String root = FunctionInliner.nodeOf(restore);
      if (!nodes.containsKey(root)) {
        return keys;
      }
      FunctionInliner inliner = new FunctionInliner(nodes, library, this::opDef);
      inliner.inline(reachable(nodes, List.of(root), Set.of()));
      for (String name : reachable(nodes, List.of(root), Set.of())) {
        NodeDef node = nodes.get(name);
        if (!node.getOp().equals("Assign") && !node.getOp().equals("AssignVariableOp")) {
          continue;
        }
        if (node.getInputCount() < 2) {
          continue;
        }
        NodeDef variable = nodes.get(throughIdentities(node.getInput(0), nodes));
        String value = throughIdentitiesTensor(node.getInput(1), nodes);
        NodeDef restoreNode = nodes.get(FunctionInliner.nodeOf(value));
        if (variable == null || !isVariable(variable) || restoreNode == null) {
          continue;
        }
        if (!restoreNode.getOp().equals("RestoreV2") && !restoreNode.getOp().equals("Restore")) {
          continue;
        }
        int index = Integer.parseInt(value.substring(value.indexOf(':') + 1));
        // RestoreV2(prefix, tensor_names, shape_and_slices); Restore(file_pattern, tensor_name)
        NodeDef names = nodes.get(throughIdentities(restoreNode.getInput(1), nodes));
        if (names == null || !names.getOp().equals("Const")) {
          continue;
        }
        var strings = names.getAttrOrThrow("value").getTensor().getStringValList();
        if (index < strings.size()) {
          keys.put(variable.getName(), strings.get(index).toStringUtf8());
        }
      }
      return keys;
    }

    private static String throughIdentities(String input, Map<String, NodeDef> nodes) {
      return FunctionInliner.nodeOf(throughIdentitiesTensor(input, nodes));
    }

    private static String throughIdentitiesTensor(String input, Map<String, NodeDef> nodes) {
      String tensor = FunctionInliner.canonical(input);
      for (int guard = 0; guard < 100; guard++) {
        NodeDef node = nodes.get(FunctionInliner.nodeOf(tensor));
        if (node == null || !node.getOp().equals("Identity") || node.getInputCount() == 0) {
          return tensor;
        }
        tensor = FunctionInliner.canonical(node.getInput(0));
      }
      return tensor;
    }

    private OpDef opDef(String type) {
      return opDefs.computeIfAbsent(type, this::lookUp);
    }

    private OpDef lookUp(String type) {
      if (opRegistry == null) {
        opRegistry = new Graph();
      }
      TF_Buffer buffer = TF_Buffer.newBuffer();
      TF_Status status = TF_Status.newStatus();
      try {
        tensorflow.TF_GraphGetOpDef(nativeHandle(opRegistry), type, buffer, status);
        status.throwExceptionIfNotOK();
        return OpDef.parseFrom(buffer.dataAsByteBuffer());
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException("cannot read the definition of op " + type, e);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "SavedModel "
                + directory
                + " uses the op "
                + type
                + ", which this TensorFlow does not know: "
                + e.getMessage(),
            e);
      } finally {
        buffer.delete();
        status.delete();
      }
    }
  }

  /**
   * Adds {@link #graphDef()} to {@code graph}, every node's name prefixed with {@code prefix/}, on
   * {@code device} unless it is null or empty; the tensors {@code mapping} names (signature inputs,
   * variables' value and handle tensors) are replaced by the outputs it gives.
   *
   * @return each signature output, by key
   * @throws IllegalArgumentException if TensorFlow refuses the import (a type that does not fit)
   */
  public Map<String, org.tensorflow.Output<?>> importInto(
      Graph graph, String prefix, String device, Map<String, ? extends Operand<?>> mapping) {
    TF_ImportGraphDefOptions options = tensorflow.TF_NewImportGraphDefOptions();
    TF_Buffer buffer = TF_Buffer.newBufferFromString(graphDef);
    TF_Status status = TF_Status.newStatus();
    List<TF_Output> targets = new ArrayList<>();
    try {
      tensorflow.TF_ImportGraphDefOptionsSetPrefix(options, prefix);
      if (device != null && !device.isEmpty()) {
        tensorflow.TF_ImportGraphDefOptionsSetDefaultDevice(options, device);
      }
      for (Map.Entry<String, ? extends Operand<?>> entry : mapping.entrySet()) {
        org.tensorflow.Output<?> output = entry.getValue().asOutput();
        if (output.env() != graph) {
          throw new IllegalArgumentException(
              entry.getKey() + " is mapped to " + output + ", which is not in the graph");
        }
        TF_Output target =
            new TF_Output()
                .oper(((GraphOperation) output.op()).getUnsafeNativeHandle())
                .index(output.index());
        targets.add(target);
        String tensor = FunctionInliner.canonical(entry.getKey());
        int colon = tensor.lastIndexOf(':');
        tensorflow.TF_ImportGraphDefOptionsAddInputMapping(
            options,
            tensor.substring(0, colon),
            Integer.parseInt(tensor.substring(colon + 1)),
            target);
      }
      tensorflow.TF_GraphImportGraphDef(nativeHandle(graph), buffer, options, status);
      try {
        status.throwExceptionIfNotOK();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            description() + " cannot be imported: " + e.getMessage(), e);
      }
    } finally {
      tensorflow.TF_DeleteImportGraphDefOptions(options);
      buffer.delete();
      status.delete();
      targets.forEach(TF_Output::close);
    }
    Map<String, org.tensorflow.Output<?>> results = new LinkedHashMap<>();
    for (SignatureTensor output : outputs) {
      String tensor = output.tensor();
      if (mapping.containsKey(tensor)) { // an output that is an input or a variable's value
        results.put(output.key(), mapping.get(tensor).asOutput());
        continue;
      }
      int colon = tensor.lastIndexOf(':');
      GraphOperation op = graph.operationOrThrow(prefix + "/" + tensor.substring(0, colon));
      results.put(output.key(), op.output(Integer.parseInt(tensor.substring(colon + 1))));
    }
    return results;
  }

  /**
   * The ops of {@link #graphDef()} through which no gradient can reach the variables {@code
   * trained} (by {@link Variable#node()}) from the outputs, as {@code name (type)}: ops TensorFlow
   * has no gradient for, and calls whose gradient is a {@code SymbolicGradient}, which fails when
   * run. Empty if the variables can be trained. The check builds the gradients in a graph of its
   * own, first through the whole signature, then, if that fails, op by op to name every culprit;
   * gradients registered from Java (such as tfloop's {@code MissingGradients}) count.
   */
  public List<String> opsWithoutGradient(Collection<String> trained) {
    if (trained.isEmpty()) {
      return List.of();
    }
    try (Graph scratch = new Graph()) {
      Ops tf = Ops.create(scratch).withSubScope("probe_inputs");
      Map<String, Operand<?>> mapping = new LinkedHashMap<>();
      for (SignatureTensor input : inputs) {
        mapping.put(input.tensor(), placeholder(tf, input.type(), input.shape()));
      }
      List<org.tensorflow.Output<?>> reads = new ArrayList<>();
      for (Variable variable : variables) {
        Operand<?> value = placeholder(tf, variable.type(), variable.shape());
        for (String tensor : variable.valueTensors()) {
          mapping.put(tensor, value);
        }
        for (String tensor : variable.handleTensors()) {
          mapping.put(
              tensor,
              tf.varHandleOp(
                  variable.type().tensorType(), variable.shape(), new VarHandleOp.Options[0]));
        }
        if (trained.contains(variable.node())) {
          reads.add(value.asOutput());
        }
      }
      Map<String, org.tensorflow.Output<?>> results = importInto(scratch, "layer", null, mapping);
      List<org.tensorflow.Output<?>> ys = new ArrayList<>();
      for (org.tensorflow.Output<?> output : results.values()) {
        if (isFloating(output.dataType())) {
          ys.add(output);
        }
      }
      if (ys.isEmpty()) {
        return List.of();
      }
      List<String> culprits = new ArrayList<>();
      if (gradientWorks(scratch, "probe", ys, reads, culprits, null)) {
        return List.of();
      }
      // Op by op, on the paths from the variables to the outputs, to name every culprit.
      Set<GraphOperation> fromVariables = new HashSet<>();
      for (org.tensorflow.Output<?> read : reads) {
        fromVariables.add((GraphOperation) read.op());
      }
      fromVariables = scratch.subgraphFromOps(fromVariables);
      Set<GraphOperation> toOutputs = new HashSet<>();
      for (org.tensorflow.Output<?> y : ys) {
        toOutputs.add((GraphOperation) y.op());
      }
      Set<GraphOperation> needed = new HashSet<>(scratch.subgraphToOps(toOutputs));
      needed.addAll(toOutputs);
      culprits.clear();
      int probe = 0;
      for (NodeDef node : graphDef.getNodeList()) {
        GraphOperation op = scratch.operation("layer/" + node.getName());
        if (op == null || !fromVariables.contains(op) || !needed.contains(op)) {
          continue;
        }
        List<org.tensorflow.Output<?>> opOutputs = new ArrayList<>();
        for (int i = 0; i < op.numOutputs(); i++) {
          if (isFloating(op.output(i).dataType())) {
            opOutputs.add(op.output(i));
          }
        }
        List<org.tensorflow.Output<?>> opInputs = new ArrayList<>();
        for (int i = 0; i < op.numInputs(); i++) {
          org.tensorflow.Output<?> input = op.input(i);
          if (isFloating(input.dataType()) && fromVariables.contains((GraphOperation) input.op())) {
            opInputs.add(input);
          }
        }
        if (opOutputs.isEmpty() || opInputs.isEmpty()) {
          continue;
        }
        gradientWorks(scratch, "probe_" + probe++, opOutputs, opInputs, culprits, node);
      }
      if (culprits.isEmpty()) { // the whole failed, no part did: name what TensorFlow said
        gradientWorks(scratch, "probe_all", ys, reads, culprits, null);
      }
      return culprits;
    }
  }

  /**
   * Builds the gradients of {@code ys} with respect to {@code xs} under {@code prefix}; false, with
   * the reason added to {@code culprits}, if TensorFlow cannot or builds a {@code
   * SymbolicGradient}.
   */
  private static boolean gradientWorks(
      Graph graph,
      String prefix,
      List<org.tensorflow.Output<?>> ys,
      List<org.tensorflow.Output<?>> xs,
      List<String> culprits,
      NodeDef node) {
    String what = node == null ? "the signature" : node.getName() + " (" + node.getOp() + ")";
    try {
      graph.addGradients(
          prefix,
          ys.toArray(new org.tensorflow.Output<?>[0]),
          xs.toArray(new org.tensorflow.Output<?>[0]),
          null);
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      int end = message.indexOf('\n');
      culprits.add(what + ": " + (end < 0 ? message : message.substring(0, end)));
      return false;
    }
    for (java.util.Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.name().startsWith(prefix + "/") && op.type().equals("SymbolicGradient")) {
        culprits.add(
            what
                + ": its gradient is a SymbolicGradient of a function call, which fails when run"
                + " over the variables' resource handles");
        return false;
      }
    }
    return true;
  }

  private static boolean isFloating(DataType type) {
    return type == DataType.DT_FLOAT
        || type == DataType.DT_DOUBLE
        || type == DataType.DT_HALF
        || type == DataType.DT_BFLOAT16;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Operand<?> placeholder(Ops tf, WeightType type, Shape shape) {
    if (type.tensorType() == null) {
      throw new IllegalArgumentException("a tensor of type " + type + " cannot be fed");
    }
    return tf.placeholder((Class) type.tensorType(), Placeholder.shape(shape));
  }

  private static TF_Graph nativeHandle(Graph graph) {
    try {
      Field field = Graph.class.getDeclaredField("nativeHandle");
      field.setAccessible(true);
      return (TF_Graph) field.get(graph);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("TensorFlow Java's Graph has no native handle field", e);
    }
  }

  private static Map<String, NodeDef> nodesOf(GraphDef graph) {
    Map<String, NodeDef> nodes = new LinkedHashMap<>();
    for (NodeDef node : graph.getNodeList()) {
      nodes.put(node.getName(), node);
    }
    return nodes;
  }

  /**
   * The nodes {@code roots} depend on, through data and control inputs, not looking past the
   * tensors {@code stops} (nor through control inputs on their nodes), in the graph's order.
   */
  static Set<String> reachable(
      Map<String, NodeDef> nodes, Collection<String> roots, Set<String> stops) {
    Set<String> stopNodes = new HashSet<>();
    for (String stop : stops) {
      stopNodes.add(FunctionInliner.nodeOf(stop));
    }
    Set<String> seen = new HashSet<>();
    Deque<String> pending = new ArrayDeque<>(roots);
    while (!pending.isEmpty()) {
      String name = pending.pop();
      if (!seen.add(name)) {
        continue;
      }
      NodeDef node = nodes.get(name);
      if (node == null) {
        throw new IllegalArgumentException("the SavedModel's graph has no node '" + name + "'");
      }
      for (String input : node.getInputList()) {
        if (input.startsWith("^")) {
          String control = input.substring(1);
          if (!stopNodes.contains(control)) {
            pending.push(control);
          }
        } else if (!stops.contains(FunctionInliner.canonical(input))) {
          pending.push(FunctionInliner.nodeOf(input));
        }
      }
    }
    Set<String> ordered = new LinkedHashSet<>();
    for (String name : nodes.keySet()) {
      if (seen.contains(name)) {
        ordered.add(name);
      }
    }
    return ordered;
  }

  /** Makes variable names unique: a repeated name gets {@code _1}, {@code _2}... */
  private static void uniqueNames(List<Variable> variables) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < variables.size(); i++) {
      Variable variable = variables.get(i);
      int count = counts.merge(variable.name(), 1, Integer::sum);
      if (count > 1) {
        variables.set(
            i,
            new Variable(
                variable.name() + "_" + (count - 1),
                variable.node(),
                variable.checkpointKey(),
                variable.type(),
                variable.shape(),
                variable.trainable(),
                variable.valueTensors(),
                variable.handleTensors(),
                variable.resourceUses()));
      }
    }
  }

  @Override
  public String toString() {
    return description() + ": inputs " + inputs + ", outputs " + outputs;
  }
}
