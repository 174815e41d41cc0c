package io.github.tfloop.processor.parse;

/**
 * What the parser made of a type in a user signature.
 *
 * @param kind what the type is
 * @param dataType for {@code Operand<T>} with a known {@code T}, that type; otherwise {@code null}
 * @param display the type as the user wrote it, for messages
 */
public record TypeShape(Kind kind, DataType dataType, String display) {

  /** The kinds of type tfloop methods take and return. */
  public enum Kind {
    /** {@code org.tensorflow.op.Ops}. */
    OPS,
    /** {@code io.github.tfloop.nn.Layers}. */
    LAYERS,
    /** {@code Operand<T>} with {@code T} one of the {@link DataType}s. */
    OPERAND,
    /** {@code Network<T>}: a function model a {@code @Loss} applies as it likes. */
    NETWORK,
    /** {@code Operand} of another, wildcard or missing type argument. */
    OPERAND_OF_OTHER,
    /** {@code void}. */
    VOID,
    /** A type that does not resolve (yet): another processor may generate it. */
    UNRESOLVED,
    /** Anything else. */
    OTHER
  }

  public boolean isOperand() {
    return kind == Kind.OPERAND;
  }
}
