/* Nothing to declare: the target only provides a symbol for the linker. */
