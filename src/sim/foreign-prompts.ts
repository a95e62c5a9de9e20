import type { Language } from './geography.js';

/** Everyday prompts in the languages of non-English-speaking customers. */
export const FOREIGN_PROMPTS: Readonly<
  Partial<Record<Language, { openers: readonly string[]; followUps: readonly string[] }>>
> = {
  es: {
    openers: [
      '¿Qué puedo cocinar hoy con arroz, huevos y espinacas?',
      'escribe un correo formal para pedir una reunión con mi jefe la próxima semana',
      'cómo calculo el porcentaje de aumento entre dos números',
      'explícame la diferencia entre virus y bacterias',
      'recomiéndame libros parecidos a Cien años de soledad',
      'tengo un error en python: list index out of range, qué significa',
      'ideas para el cumpleaños de mi hija de 8 años',
      'como puedo mejorar mi curriculum si no tengo experiencia',
      'resume en pocas palabras la revolución francesa',
    ],
    followUps: [
      'más corto por favor',
      'gracias! y otra cosa',
      'puedes dar un ejemplo?',
      'no entendí, explícalo más fácil',
    ],
  },
  de: {
    openers: [
      'Kannst du mir eine Kündigung für meinen Handyvertrag schreiben?',
      'wie berechne ich die Mehrwertsteuer aus einem Bruttobetrag',
      'Was ist der Unterschied zwischen einer GmbH und einer UG?',
      'Rezept für einen einfachen Apfelkuchen bitte',
      'erklär mir bitte wie eine Wärmepumpe funktioniert',
      'Formuliere diese Mail höflicher: Ich brauche die Unterlagen bis morgen.',
      'Tipps für ein Vorstellungsgespräch als Pflegekraft',
      'wie kann ich in Python eine Liste sortieren ohne sort()',
    ],
    followUps: [
      'kürzer bitte',
      'danke! und noch eine Frage',
      'kannst du ein Beispiel geben?',
      'etwas förmlicher bitte',
    ],
  },
  fr: {
    openers: [
      'Peux-tu m’aider à écrire une lettre de motivation pour un stage en marketing ?',
      'comment faire une pâte à crêpes sans lait',
      'explique-moi simplement ce qu’est l’inflation',
      'quels sont les meilleurs endroits à visiter en Bretagne ?',
      'corrige les fautes : Je voudrai savoir si vous avez reçu mon dossier la semaine dernier.',
      'idées de cadeaux pour un collègue qui part à la retraite',
      'comment calculer une moyenne pondérée',
    ],
    followUps: ['plus court stp', 'merci ! autre question', 'tu peux donner un exemple ?', 'plus formel'],
  },
  pt: {
    openers: [
      'me ajuda a escrever uma mensagem de aniversário para minha avó',
      'qual a diferença entre juros simples e compostos?',
      'receita de bolo de cenoura com cobertura de chocolate',
      'como faço para declarar imposto de renda como autônomo',
      'explique o que é fotossíntese de um jeito fácil',
      'dicas para estudar para o ENEM',
      'como melhorar a velocidade do meu notebook',
    ],
    followUps: ['mais curto por favor', 'valeu! e outra coisa', 'pode dar um exemplo?', 'não entendi'],
  },
  ja: {
    openers: [
      '明日のプレゼンの導入部分を考えてください。テーマは社内の業務効率化です。',
      'カレーを美味しく作るコツを教えて',
      'Pythonでファイルを一行ずつ読む方法は？',
      '敬語でお礼のメールを書いてください',
      '東京から日帰りで行けるおすすめの場所',
      '確定申告のやり方を簡単に教えてください',
    ],
    followUps: [
      'もっと短くしてください',
      'ありがとう！もう一つ質問です',
      '例を挙げてください',
      'もう少し丁寧に',
    ],
  },
  zh: {
    openers: [
      '帮我写一封请假邮件，语气正式一点',
      '怎么用Excel计算两个日期之间的天数',
      '推荐几本适合初学者的理财书',
      '解释一下什么是区块链，越简单越好',
      '红烧肉怎么做比较好吃',
      '如何提高英语口语',
    ],
    followUps: ['再短一点', '谢谢！还有一个问题', '能举个例子吗', '我没看懂'],
  },
  ko: {
    openers: [
      '자기소개서 첫 문장 좀 써줘. 지원 직무는 마케팅이야',
      '김치찌개 맛있게 끓이는 법 알려줘',
      '파이썬에서 딕셔너리 정렬하는 방법',
      '부산 2박 3일 여행 코스 추천해줘',
    ],
    followUps: ['더 짧게', '고마워! 하나 더 물어볼게', '예시 들어줘'],
  },
  it: {
    openers: [
      'scrivimi una mail per chiedere un preventivo a un idraulico',
      'come si fa il tiramisù senza uova crude',
      'spiegami la differenza tra IVA e IRPEF',
      'consigli per imparare a programmare da zero',
    ],
    followUps: ['più breve per favore', 'grazie! altra domanda', 'puoi fare un esempio?'],
  },
  nl: {
    openers: [
      'schrijf een korte uitnodiging voor een verjaardagsfeest',
      'hoe werkt de hypotheekrenteaftrek precies',
      'tips om beter te slapen',
      'vertaal naar het Engels: wij kijken uit naar de samenwerking',
    ],
    followUps: ['korter graag', 'bedankt! nog een vraag', 'kun je een voorbeeld geven?'],
  },
  pl: {
    openers: [
      'napisz krótki mail z przeprosinami za spóźnienie',
      'jak obliczyć procent składany',
      'przepis na pierogi ruskie',
      'co zwiedzić w Krakowie w jeden dzień',
    ],
    followUps: ['krócej proszę', 'dzięki! jeszcze jedno pytanie', 'podaj przykład'],
  },
  tr: {
    openers: [
      'işten ayrılma dilekçesi yazar mısın',
      'evde kolay ekmek tarifi',
      'excelde düşeyara nasıl kullanılır',
      'kedim yemek yemiyor ne yapmalıyım',
    ],
    followUps: ['daha kısa lütfen', 'teşekkürler! bir sorum daha var', 'örnek verir misin'],
  },
  ru: {
    openers: [
      'помоги написать резюме для junior разработчика',
      'как приготовить борщ',
      'объясни простыми словами, что такое инфляция',
      'как в python удалить дубликаты из списка',
    ],
    followUps: ['короче, пожалуйста', 'спасибо! ещё вопрос', 'приведи пример'],
  },
  vi: {
    openers: [
      'viết giúp tôi một email xin nghỉ phép',
      'cách nấu phở bò tại nhà',
      'giải thích lãi suất kép đơn giản',
    ],
    followUps: ['ngắn hơn nhé', 'cảm ơn! thêm một câu hỏi', 'cho ví dụ'],
  },
  id: {
    openers: [
      'buatkan caption instagram untuk toko kue',
      'cara membuat nasi goreng enak',
      'jelaskan perbedaan saham dan obligasi',
    ],
    followUps: ['lebih singkat ya', 'makasih! satu lagi', 'kasih contoh dong'],
  },
  hi: {
    openers: ['मुझे छुट्टी के लिए एक आवेदन पत्र लिखकर दो', 'दाल मखनी बनाने की विधि बताओ'],
    followUps: ['थोड़ा छोटा करो', 'धन्यवाद! एक और सवाल'],
  },
};
