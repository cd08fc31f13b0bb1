/**
 * A bounded map whose least recently used entry goes first, for caches read on every request
 * (stored connections, verified caller JWTs).
 *
 * The usual trick, deleting and re-inserting the key of every hit so that a Map's insertion
 * order becomes its recency order, writes the Map's hash table on every read: its deleted slots
 * pile up and V8 rebuilds the table every so many hits. On the request path that churn was
 * measured to multiply the scavenger's work (issue 11, the deadline list). Here a hit only
 * relinks two pointers of a doubly linked list; the Map is written on insert, eviction and
 * delete alone.
 */
class Node<K, V> {
  prev: Node<K, V>
  next: Node<K, V>
  constructor (readonly key: K, public value: V) {
    this.prev = this
    this.next = this
  }
}

export class LruMap<K, V> {
  readonly #max: number
  readonly #nodes = new Map<K, Node<K, V>>()
  /**
   * The list's sentinel: `head.next` is the most recently used node, `head.prev` the least. Its
   * key and value are never read.
   */
  readonly #head = new Node<K, V>(undefined as K, undefined as V)

  constructor (maxEntries: number) {
    if (!(maxEntries >= 1)) throw new RangeError(`an LruMap holds at least one entry, not ${maxEntries}`)
    this.#max = maxEntries
  }

  get size (): number { return this.#nodes.size }

  /** The value of `key`, which becomes the most recently used; undefined when absent. */
  get (key: K): V | undefined {
    const node = this.#nodes.get(key)
    if (node === undefined) return undefined
    this.#toFront(node)
    return node.value
  }

  /** Sets `key` as the most recently used, evicting the least recently used beyond the bound. */
  set (key: K, value: V): void {
    const known = this.#nodes.get(key)
    if (known !== undefined) {
      known.value = value
      this.#toFront(known)
      return
    }
    const node = new Node(key, value)
    this.#nodes.set(key, node)
    this.#link(node)
    if (this.#nodes.size > this.#max) {
      const oldest = this.#head.prev
      this.#unlink(oldest)
      this.#nodes.delete(oldest.key)
    }
  }

  delete (key: K): boolean {
    const node = this.#nodes.get(key)
    if (node === undefined) return false
    this.#unlink(node)
    this.#nodes.delete(key)
    return true
  }

  clear (): void {
    this.#nodes.clear()
    this.#head.prev = this.#head
    this.#head.next = this.#head
  }

  /** Keys from the most to the least recently used (for tests and diagnostics). */
  * keys (): IterableIterator<K> {
    for (let node = this.#head.next; node !== this.#head; node = node.next) yield node.key
  }

  #toFront (node: Node<K, V>): void {
    if (this.#head.next === node) return
    this.#unlink(node)
    this.#link(node)
  }

  #link (node: Node<K, V>): void {
    const first = this.#head.next
    node.prev = this.#head
    node.next = first
    first.prev = node
    this.#head.next = node
  }

  #unlink (node: Node<K, V>): void {
    node.prev.next = node.next
    node.next.prev = node.prev
  }
}
