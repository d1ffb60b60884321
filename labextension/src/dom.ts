/** A tiny DOM builder: text is always set as text, never parsed as HTML. */
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { [name: string]: unknown } = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    } else if (name === 'className') {
      node.className = String(value);
    } else if (name === 'dataset') {
      for (const [key, item] of Object.entries(value as { [key: string]: unknown })) {
        if (item !== undefined && item !== null) {
          node.dataset[key] = String(item);
        }
      }
    } else if (name in node && typeof value !== 'string') {
      (node as any)[name] = value;
    } else {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    node.append(child);
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: { [name: string]: string | number } = {}): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, String(value));
  }
  return node;
}
